import { describe, expect, it } from "vitest";
import { balanceRows, checkAdvice, formatDecimal, lastCheckSummary } from "./check";

describe("connection check", () => {
  it("groups the exchange's decimals without going through floats", () => {
    expect(formatDecimal("10000.00000000")).toBe("10,000");
    expect(formatDecimal("0.50000000")).toBe("0.5");
    expect(formatDecimal("1234567.12345678901")).toBe("1,234,567.12345678901");
    expect(formatDecimal("0")).toBe("0");
    expect(formatDecimal("1e-8")).toBe("1e-8");
  });

  it("lists balances alphabetically, formatted", () => {
    expect(
      balanceRows({ USDT: { free: "10000", used: "0", total: "10000" }, BTC: { free: "0.5", used: "0.25", total: "0.75" } }),
    ).toEqual([
      { asset: "BTC", free: "0.5", used: "0.25", total: "0.75" },
      { asset: "USDT", free: "10,000", used: "0", total: "10,000" },
    ]);
  });

  it("says what the last check found, or what to do when there was none", () => {
    expect(lastCheckSummary({ at: null, ok: null, message: "" })).toEqual({ tone: "never", text: "Not checked yet: press Check to test the key." });
    expect(lastCheckSummary({ at: "2026-11-28T18:00:00Z", ok: true, message: "Connected: 2 assets with a balance." })).toEqual({
      tone: "ok",
      text: "Connected: 2 assets with a balance.",
    });
    expect(lastCheckSummary({ at: "2026-11-28T18:00:00Z", ok: false, message: "Bad signature: ..." }).tone).toBe("failed");
  });
});

describe("advice on a refusal", () => {
  it("says what to do for each reason the API gives, nothing for an unknown one", () => {
    expect(checkAdvice("bad_signature")).toContain("Replace keys");
    expect(checkAdvice("clock_skew")).toContain("NTP");
    expect(checkAdvice("ip_not_allowed")).toContain("whitelist");
    expect(checkAdvice("invalid_key")).toContain("enabled");
    expect(checkAdvice("unreachable")).toContain("again in a minute");
    expect(checkAdvice("refused")).toBe("");
  });
});
