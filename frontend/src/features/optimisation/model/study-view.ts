// Pure pieces of the study and walk-forward views: the parameter-vs-KPI scatter's points, the
// out-of-sample chart's window boundaries, the progress line and the sort order of the trials.
import type { Trial, WalkForwardDetail } from "../api/types";

export interface ScatterPoint {
  x: number;
  y: number;
  number: number;
}

/** One point per trial that has both the parameter and the KPI (pruned trials included: their KPI
 * is still measured), in trial order. */
export function scatterPoints(trials: readonly Trial[], param: string, kpi: string): ScatterPoint[] {
  const points: ScatterPoint[] = [];
  for (const t of trials) {
    const x = (t.params as Record<string, number>)[param];
    const y = (t.kpis as Record<string, number | null> | null)?.[kpi];
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(y)) points.push({ x, y, number: t.number });
  }
  return points;
}

export interface Extent {
  min: number;
  max: number;
}

/** [min, max] of the values, widened by half a unit when they are all equal (a flat axis). */
export function extentOf(values: readonly number[]): Extent {
  if (!values.length) return { min: 0, max: 1 };
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  return { min, max };
}

/** value in [extent] -> pixel in [0, size] (y grows downwards when `flip`). */
export function toPixel(value: number, extent: Extent, size: number, flip = false): number {
  const share = (value - extent.min) / (extent.max - extent.min);
  return flip ? size * (1 - share) : size * share;
}

export interface WindowMark {
  time: number; // epoch seconds: the out-of-sample stretch's start
  label: string;
}

/** Where each window's out-of-sample stretch starts on the stitched curve, labelled W1, W2, ... */
export function windowMarks(walk: Pick<WalkForwardDetail, "windows">): WindowMark[] {
  return walk.windows.map((w) => ({ time: w.is_end, label: `W${w.index + 1}` }));
}

/** "37 / 100 trials (4 pruned)". */
export function progressLine(study: { trials_done: number; n_trials: number; trials_pruned: number }): string {
  const pruned = study.trials_pruned ? ` (${study.trials_pruned} pruned)` : "";
  return `${study.trials_done} / ${study.n_trials} trials${pruned}`;
}

/** Clicking a column: descending first, then ascending. */
export function nextOrdering(current: string, key: string): string {
  return current === `-${key}` ? key : `-${key}`;
}
