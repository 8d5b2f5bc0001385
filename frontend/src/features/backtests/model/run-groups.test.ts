import { describe, expect, it } from "vitest";
import type { BacktestRun } from "../api/types";
import { groupRuns } from "./run-groups";

const run = (id: number, sweep: number | null, status = "done", total: number | null = null) =>
  ({ id, sweep, status, kpis: total === null ? null : { total_return: total } }) as unknown as BacktestRun;

describe("groupRuns", () => {
  it("keeps single runs as they are and makes one entry per sweep, where its newest run is", () => {
    const entries = groupRuns([run(9, null), run(8, 2), run(7, 2), run(6, null), run(5, 1), run(4, 2)]);
    expect(entries.map((e) => (e.kind === "run" ? `run ${e.run.id}` : `sweep ${e.sweep}`))).toEqual([
      "run 9",
      "sweep 2",
      "run 6",
      "sweep 1",
    ]);
    const sweep = entries[1]!;
    expect(sweep.kind === "sweep" && sweep.runs.map((r) => r.id)).toEqual([8, 7, 4]);
  });

  it("counts a sweep's runs per status and names its best done run by total return", () => {
    const [entry] = groupRuns([run(4, 1, "running"), run(3, 1, "done", 0.02), run(2, 1, "done", 0.05), run(1, 1, "failed")]);
    expect(entry?.kind).toBe("sweep");
    if (entry?.kind !== "sweep") return;
    expect(entry.counts).toEqual({ queued: 0, running: 1, done: 2, failed: 1 });
    expect(entry.best?.id).toBe(2);
  });

  it("has no best run while none is done with a finite return", () => {
    const [entry] = groupRuns([run(2, 1, "queued"), run(1, 1, "done", null)]);
    expect(entry?.kind === "sweep" && entry.best).toBeNull();
  });
});
