import { describe, expect, it } from "vitest";
import { bestIndex, COMPARE_MAX_RUNS, compareSearch, normaliseEquity, parseCompareIds } from "./compare";

describe("parseCompareIds", () => {
  it("keeps positive integer ids once each, in order, ignoring junk", () => {
    expect(parseCompareIds("3,5,3, 7 ,x,0,-2,1.5,")).toEqual([3, 5, 7]);
    expect(parseCompareIds(null)).toEqual([]);
  });

  it("keeps at most COMPARE_MAX_RUNS", () => {
    const many = Array.from({ length: 20 }, (_, i) => i + 1).join(",");
    expect(parseCompareIds(many)).toHaveLength(COMPARE_MAX_RUNS);
  });

  it("writes the ids back as the URL's query", () => {
    expect(compareSearch([3, 5])).toBe("?ids=3,5");
  });
});

describe("normaliseEquity", () => {
  it("expresses equity in percent from the starting capital", () => {
    const points = [
      { time: 1, value: 10_000 },
      { time: 2, value: 11_250 },
      { time: 3, value: 9_000 },
    ];
    expect(normaliseEquity(points, 10_000).map((p) => p.value)).toEqual([0, 12.5, -10]);
    // Another capital, the same growth: the same curve.
    expect(normaliseEquity(points.map((p) => ({ ...p, value: p.value * 3 })), 30_000).map((p) => p.value)).toEqual([0, 12.5, -10]);
  });

  it("draws nothing for a run without a positive capital", () => {
    expect(normaliseEquity([{ time: 1, value: 5 }], 0)).toEqual([]);
  });
});

describe("bestIndex", () => {
  it("picks the highest finite value, or the lowest when lower is better", () => {
    expect(bestIndex([0.1, null, 0.3, Number.NaN])).toBe(2);
    expect(bestIndex([0.1, 0.05, 0.3], true)).toBe(1);
  });

  it("names no best with fewer than two comparable values", () => {
    expect(bestIndex([0.1, null])).toBeNull();
  });
});
