import { describe, expect, it } from "vitest";
import { buildAccountBody, buildKeysBody, clearedAccountForm, credentialProblem, emptyKeysForm, initialAccountForm } from "./account-form";

const filled = () => ({ ...initialAccountForm(), label: " Main ", apiKey: "EmuKeyZq7XwA1b2", secret: "Sup3rS3cret-zq7x" });

describe("add-account form", () => {
  it("starts on Binance live, nothing typed", () => {
    expect(initialAccountForm()).toEqual({ label: "", exchange: "binance", environment: "live", apiKey: "", secret: "", passphrase: "" });
  });

  it("builds the POST body: label trimmed, credentials exactly as typed", () => {
    expect(buildAccountBody(filled())).toEqual({
      body: { label: "Main", exchange: "binance", environment: "live", api_key: "EmuKeyZq7XwA1b2", secret: "Sup3rS3cret-zq7x", passphrase: "" },
      errors: null,
    });
  });

  it("names each bad field as the API would", () => {
    const form = { ...initialAccountForm(), exchange: "Bin ance", apiKey: "abc def ghi", secret: "short", passphrase: "x" };
    expect(buildAccountBody(form).errors).toEqual({
      label: "required",
      exchange: "a ccxt exchange id, e.g. binance",
      api_key: "contains spaces or line breaks: paste it again without them",
      secret: "too short: at least 8 characters",
      passphrase: "too short: at least 8 characters",
    });
  });

  it("catches a pasted line break and an empty secret", () => {
    expect(credentialProblem("abcdefgh\n")).toMatch(/line breaks/);
    expect(credentialProblem("")).toBe("required");
    expect(credentialProblem("abcdefgh")).toBeNull();
  });

  it("forgets every credential once the account is stored, keeps the exchange choice", () => {
    const cleared = clearedAccountForm({ ...filled(), environment: "testnet", passphrase: "pass-phrase" });
    expect(cleared).toEqual({ label: "", exchange: "binance", environment: "testnet", apiKey: "", secret: "", passphrase: "" });
  });
});

describe("replace-keys form", () => {
  const keys = { ...emptyKeysForm(), apiKey: "NewKeyZq7XwA1b2", secret: "N3wS3cret-zq7x" };

  it("sends the new key and secret as typed, a passphrase only when given", () => {
    expect(buildKeysBody(keys, false)).toEqual({ body: { api_key: "NewKeyZq7XwA1b2", secret: "N3wS3cret-zq7x" }, errors: null });
    expect(buildKeysBody({ ...keys, passphrase: "pass-phrase-1" }, true).body).toEqual({
      api_key: "NewKeyZq7XwA1b2",
      secret: "N3wS3cret-zq7x",
      passphrase: "pass-phrase-1",
    });
  });

  it("names what is missing or malformed, the passphrase of an account that has one", () => {
    expect(buildKeysBody(emptyKeysForm(), false).errors).toEqual({ api_key: "required", secret: "required" });
    expect(buildKeysBody({ ...keys, secret: "with space 123" }, true).errors).toEqual({
      secret: "contains spaces or line breaks: paste it again without them",
      passphrase: "required",
    });
  });
});
