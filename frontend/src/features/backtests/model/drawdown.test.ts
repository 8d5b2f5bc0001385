import { describe, expect, it } from "vitest";
import { drawdownSeries, maxDrawdown } from "./drawdown";

describe("drawdownSeries", () => {
  it("measures each point against the running peak", () => {
    const equity = [
      { time: 1, value: 100 },
      { time: 2, value: 120 },
      { time: 3, value: 90 },
      { time: 4, value: 130 },
      { time: 5, value: 117 },
    ];
    const dd = drawdownSeries(equity);
    expect(dd.map((p) => p.time)).toEqual([1, 2, 3, 4, 5]);
    expect(dd.map((p) => Number(p.value.toFixed(4)))).toEqual([0, 0, -0.25, 0, -0.1]);
    expect(maxDrawdown(equity)).toBeCloseTo(-0.25);
  });

  it("is empty for an empty curve", () => {
    expect(drawdownSeries([])).toEqual([]);
    expect(maxDrawdown([])).toBe(0);
  });
});
