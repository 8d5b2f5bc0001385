import { describe, expect, it } from "vitest";
import { buildAccountBody, clearedAccountForm, credentialProblem, initialAccountForm } from "./account-form";

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
