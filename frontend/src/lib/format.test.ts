import { describe, expect, it } from "vitest";
import { formatPrice, formatVolume } from "./format";

describe("format", () => {
  it("shows prices with decimals fitting their size", () => {
    expect(formatPrice(58456.99)).toBe("58,456.99");
    expect(formatPrice(142.5)).toBe("142.50");
    expect(formatPrice(1.23456)).toBe("1.2346");
    expect(formatPrice(0.000012345)).toBe("0.00001235");
    expect(formatPrice(null)).toBe("—");
    expect(formatPrice(Number.NaN)).toBe("—");
  });

  it("shows volumes with at most two decimals", () => {
    expect(formatVolume(495.81746)).toBe("495.82");
    expect(formatVolume(undefined)).toBe("—");
  });
});
