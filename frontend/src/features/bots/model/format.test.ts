import { describe, expect, it } from "vitest";
import { moneyText, percentText, quoteOf, utcText } from "./format";

describe("format", () => {
  it("writes money with its unit and sign, times in UTC", () => {
    expect(moneyText("1234.567", "USDT")).toBe("1,234.57 USDT");
    expect(moneyText(-3, "USDT", true)).toBe("-3.00 USDT");
    expect(moneyText(12.3, "USDT", true)).toBe("+12.30 USDT");
    expect(moneyText(null, "USDT")).toBe("—");
    expect(percentText(-0.1234)).toBe("-12.34 %");
    expect(utcText(1_714_521_600)).toBe("2024-05-01 00:00 UTC");
    expect(quoteOf("BTCUSDT")).toBe("USDT");
  });
});
