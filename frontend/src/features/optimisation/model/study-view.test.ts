import { describe, expect, it } from "vitest";
import type { Trial } from "../api/types";
import { extentOf, nextOrdering, progressLine, scatterPoints, toPixel, windowMarks } from "./study-view";

const trial = (number: number, sma: number, sharpe: number | null): Trial =>
  ({ number, state: "complete", value: sharpe, params: { sma_period: sma }, kpis: { sharpe }, worker: "" }) as Trial;

describe("the study view", () => {
  it("plots each trial's parameter against its KPI, leaving out undefined KPIs", () => {
    const points = scatterPoints([trial(0, 100, 1.2), trial(1, 150, null), trial(2, 200, -0.4)], "sma_period", "sharpe");
    expect(points).toEqual([
      { x: 100, y: 1.2, number: 0 },
      { x: 200, y: -0.4, number: 2 },
    ]);
  });

  it("scales values to pixels, y upwards", () => {
    const extent = extentOf([100, 200]);
    expect(toPixel(150, extent, 300)).toBe(150);
    expect(toPixel(200, extent, 100, true)).toBe(0);
    expect(extentOf([3, 3])).toEqual({ min: 2.5, max: 3.5 });
  });

  it("marks where each out-of-sample stretch starts", () => {
    const windows = [
      { index: 0, is_start: 0, is_end: 864000, oos_end: 1296000 },
      { index: 1, is_start: 432000, is_end: 1296000, oos_end: 1728000 },
    ];
    expect(windowMarks({ windows })).toEqual([
      { time: 864000, label: "W1" },
      { time: 1296000, label: "W2" },
    ]);
  });

  it("says the progress and toggles the sort order", () => {
    expect(progressLine({ trials_done: 37, n_trials: 100, trials_pruned: 4 })).toBe("37 / 100 trials (4 pruned)");
    expect(nextOrdering("-sharpe", "sharpe")).toBe("sharpe");
    expect(nextOrdering("sharpe", "sortino")).toBe("-sortino");
  });
});
