// "Your runs" lists a sweep as one entry (expandable to its runs) instead of one row per run.
import type { BacktestRun } from "../api/types";

export type RunsEntry =
  | { kind: "run"; run: BacktestRun }
  | { kind: "sweep"; sweep: number; runs: BacktestRun[]; counts: Record<BacktestRun["status"], number>; best: BacktestRun | null };

/** The runs (newest first, as the API lists them) as entries: a run alone, or a sweep where its
 * newest run is, holding its runs in the same order, how many are in each status and the best
 * done run by total return. */
export function groupRuns(runs: BacktestRun[]): RunsEntry[] {
  const entries: RunsEntry[] = [];
  const sweeps = new Map<number, Extract<RunsEntry, { kind: "sweep" }>>();
  for (const run of runs) {
    if (run.sweep === null) {
      entries.push({ kind: "run", run });
      continue;
    }
    let entry = sweeps.get(run.sweep);
    if (!entry) {
      entry = { kind: "sweep", sweep: run.sweep, runs: [], counts: { queued: 0, running: 0, done: 0, failed: 0 }, best: null };
      sweeps.set(run.sweep, entry);
      entries.push(entry);
    }
    entry.runs.push(run);
    entry.counts[run.status] += 1;
    const value = run.kpis?.total_return;
    const best = entry.best?.kpis?.total_return;
    if (run.status === "done" && typeof value === "number" && Number.isFinite(value) && (typeof best !== "number" || value > best)) entry.best = run;
  }
  return entries;
}
