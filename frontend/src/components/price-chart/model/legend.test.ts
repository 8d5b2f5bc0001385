import { describe, expect, it } from "vitest";
import { formatChange, legendAt } from "./legend";

const columns = { time: [60, 120], open: [100, 110], high: [112, 121], low: [99, 100], close: [110, 99], volume: [5, 6] };

describe("legendAt", () => {
  it("measures the change from the previous close", () => {
    const second = legendAt(columns, 1)!;
    expect(second.changePercent).toBeCloseTo(-10);
    expect(second.volume).toBe(6);
    expect([second.open, second.high, second.low, second.close]).toEqual([110, 121, 100, 99]);
  });

  it("measures the first candle against its open", () => {
    expect(legendAt(columns, 0)!.changePercent).toBeCloseTo(10);
  });

  it("says nothing off the candles, and no volume when there is none", () => {
    expect(legendAt(columns, 2)).toBeNull();
    expect(legendAt({ ...columns, volume: undefined }, 0)!.volume).toBeNull();
  });

  it("formats the change signed", () => {
    expect(formatChange(1.234)).toBe("+1.23%");
    expect(formatChange(-0.4)).toBe("-0.40%");
    expect(formatChange(-0.001)).toBe("+0.00%");
  });
});
