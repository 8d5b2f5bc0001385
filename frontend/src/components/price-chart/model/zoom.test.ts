import { describe, expect, it } from "vitest";
import { MIN_MARGIN_BARS, tradeZoomRange } from "./zoom";

const times = Array.from({ length: 1000 }, (_, i) => i * 300);

describe("tradeZoomRange", () => {
  it("shows the trade's bars with half its length either side", () => {
    expect(tradeZoomRange(times, 100 * 300, 199 * 300)).toEqual({ from: 50, to: 249 });
  });

  it("keeps a minimum of context around a short trade", () => {
    expect(tradeZoomRange(times, 500 * 300, 501 * 300)).toEqual({ from: 500 - MIN_MARGIN_BARS, to: 501 + MIN_MARGIN_BARS });
  });

  it("snaps times inside a bar to that bar", () => {
    const range = tradeZoomRange(times, 100 * 300 + 10, 199 * 300 + 299)!;
    expect(range.from).toBe(50);
    expect(range.to).toBe(249);
  });

  it("has nothing to show without candles", () => {
    expect(tradeZoomRange([], 0, 1)).toBeNull();
  });
});
