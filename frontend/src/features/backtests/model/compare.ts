// Comparing runs side by side: which runs (the URL's ?ids=), their equity curves on one scale.
import type { EquityPoint } from "../api/types";

export const COMPARE_MAX_RUNS = 8;

/** "3,5,3,x" -> [3, 5]: positive integer ids, each once, in the order given, at most
 * COMPARE_MAX_RUNS of them. */
export function parseCompareIds(value: string | null): number[] {
  const ids: number[] = [];
  for (const part of (value ?? "").split(",")) {
    const text = part.trim();
    if (!/^\d+$/.test(text)) continue;
    const id = Number(text);
    if (id > 0 && Number.isSafeInteger(id) && !ids.includes(id)) ids.push(id);
  }
  return ids.slice(0, COMPARE_MAX_RUNS);
}

export const compareSearch = (ids: number[]) => `?ids=${ids.join(",")}`;

/** A curve as the growth of 1 unit from the run's starting capital, in percent: 0 at the start,
 * +12.5 when the equity is 12.5 % above it. Runs with different capitals then share one axis. */
export function normaliseEquity(points: EquityPoint[], initialCapital: number): { time: number; value: number }[] {
  if (!(initialCapital > 0)) return [];
  return points.map((p) => ({ time: p.time, value: ((p.value - initialCapital) / initialCapital) * 100 }));
}

/** For one KPI across runs: the index of the best value (highest, or lowest when `lowerIsBetter`);
 * null when fewer than two runs have a finite value. */
export function bestIndex(values: (number | null | undefined)[], lowerIsBetter = false): number | null {
  let best: number | null = null;
  let finite = 0;
  values.forEach((value, i) => {
    if (typeof value !== "number" || !Number.isFinite(value)) return;
    finite += 1;
    const current = best === null ? undefined : values[best];
    if (typeof current !== "number" || (lowerIsBetter ? value < current : value > current)) best = i;
  });
  return finite >= 2 ? best : null;
}
