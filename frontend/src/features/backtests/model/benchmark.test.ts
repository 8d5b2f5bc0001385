import { describe, expect, it } from "vitest";
import { benchmarkPoints } from "./benchmark";

describe("benchmarkPoints", () => {
  const times = Array.from({ length: 10 }, (_, i) => i * 60);
  const values = times.map((_, i) => 100 + i);

  it("keeps everything when there are few points", () => {
    expect(benchmarkPoints(times, values, 20)).toHaveLength(10);
  });

  it("thins to about the limit, keeping the first and the last", () => {
    const points = benchmarkPoints(times, values, 4);
    expect(points.map((p) => p.value)).toEqual([100, 103, 106, 109]);
    expect(benchmarkPoints(times, values, 3).at(-1)).toEqual({ time: 540, value: 109 });
  });

  it("skips undefined values", () => {
    expect(benchmarkPoints([0, 60], [null, 5], 10)).toEqual([{ time: 60, value: 5 }]);
  });
});
