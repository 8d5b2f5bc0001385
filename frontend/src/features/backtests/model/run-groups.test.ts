import { describe, expect, it } from "vitest";
import type { BacktestRun, SweepSummary } from "../api/types";
import { mergeRunsAndSweeps, sweepProgress } from "./run-groups";

const run = (id: number, created: string) => ({ id, sweep: null, created_at: created }) as unknown as BacktestRun;
const sweep = (id: number, created: string) => ({ id, created_at: created }) as unknown as SweepSummary;
const label = (entries: ReturnType<typeof mergeRunsAndSweeps>) => entries.map((e) => (e.kind === "run" ? `run ${e.run.id}` : `sweep ${e.sweep.id}`));

describe("mergeRunsAndSweeps", () => {
  it("lists runs and sweeps newest first, one entry per sweep", () => {
    const entries = mergeRunsAndSweeps(
      [run(9, "2026-12-07T10:05:00Z"), run(6, "2026-12-07T09:00:00Z")],
      [sweep(2, "2026-12-07T09:30:00.5Z"), sweep(1, "2026-12-06T23:00:00+00:00")],
    );
    expect(label(entries)).toEqual(["run 9", "sweep 2", "run 6", "sweep 1"]);
  });

  it("puts a sweep before a run made in the same instant, then higher ids first", () => {
    const at = "2026-12-07T10:00:00Z";
    expect(label(mergeRunsAndSweeps([run(3, at), run(4, at)], [sweep(1, at)]))).toEqual(["sweep 1", "run 4", "run 3"]);
  });

  it("is empty without runs or sweeps", () => {
    expect(mergeRunsAndSweeps([], [])).toEqual([]);
  });
});

describe("sweepProgress", () => {
  it("says how many runs, and how many are done while some are pending, or failed once finished", () => {
    expect(sweepProgress({ queued: 2, running: 1, done: 1, failed: 0 })).toBe("4 runs, 1 done");
    expect(sweepProgress({ queued: 0, running: 0, done: 3, failed: 1 })).toBe("4 runs, 1 failed");
    expect(sweepProgress({ queued: 0, running: 0, done: 1, failed: 0 })).toBe("1 run");
  });
});
