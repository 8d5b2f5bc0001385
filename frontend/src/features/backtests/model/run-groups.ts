// "Your runs" lists a sweep as one entry (unfolded on demand to its runs) instead of one row per
// run: the server lists the runs of no sweep and the sweeps apart; this merges them.
import type { BacktestRun, SweepSummary } from "../api/types";

export type RunsEntry = { kind: "run"; run: BacktestRun } | { kind: "sweep"; sweep: SweepSummary };

const createdMs = (entry: RunsEntry) => Date.parse(entry.kind === "run" ? entry.run.created_at : entry.sweep.created_at);
const idOf = (entry: RunsEntry) => (entry.kind === "run" ? entry.run.id : entry.sweep.id);

/** Standalone runs and sweeps (each newest first, as the API lists them) as one list, newest
 * first by creation time; a tie puts the sweep first, then the higher id. */
export function mergeRunsAndSweeps(runs: BacktestRun[], sweeps: SweepSummary[]): RunsEntry[] {
  const entries: RunsEntry[] = [...runs.map((run) => ({ kind: "run" as const, run })), ...sweeps.map((sweep) => ({ kind: "sweep" as const, sweep }))];
  return entries.sort((a, b) => createdMs(b) - createdMs(a) || (a.kind === b.kind ? idOf(b) - idOf(a) : a.kind === "sweep" ? -1 : 1));
}

/** "3 runs", "3 runs, 1 done", "3 runs, 1 failed": how far a sweep is. */
export function sweepProgress(counts: SweepSummary["counts"]): string {
  const total = counts.queued + counts.running + counts.done + counts.failed;
  const runs = `${total} run${total === 1 ? "" : "s"}`;
  if (counts.queued + counts.running > 0) return `${runs}, ${counts.done} done`;
  return counts.failed > 0 ? `${runs}, ${counts.failed} failed` : runs;
}
