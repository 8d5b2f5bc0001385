import { describe, expect, it } from "vitest";
import type { BacktestRun, Paginated } from "../api/types";
import { listWithRun, parseRunEvent, pollInterval, runEventsSocketUrl } from "./run-events";

const run = (id: number, status: BacktestRun["status"], progress = 0) => ({ id, status, progress }) as BacktestRun;

describe("run events", () => {
  it("opens the socket on the page's host with the page's scheme", () => {
    expect(runEventsSocketUrl({ protocol: "https:", host: "bots.example:8443" })).toBe("wss://bots.example:8443/ws/backtests/");
    expect(runEventsSocketUrl({ protocol: "http:", host: "127.0.0.1:8000" })).toBe("ws://127.0.0.1:8000/ws/backtests/");
  });

  it("parses ready and run messages and ignores anything else", () => {
    expect(parseRunEvent('{"type":"ready","push":true}')).toEqual({ type: "ready", push: true });
    expect(parseRunEvent('{"type":"run","run":{"id":4,"status":"running","progress":0.3}}')).toEqual({
      type: "run",
      run: { id: 4, status: "running", progress: 0.3 },
    });
    for (const bad of ["not json", "[]", '{"type":"run"}', '{"type":"run","run":{"id":"4"}}', '{"type":"ready"}', 3]) {
      expect(parseRunEvent(bad)).toBeNull();
    }
  });


  it("replaces a run in the list in place, or asks for a refetch when it is not there", () => {
    const list: Paginated<BacktestRun> = { count: 2, next: null, previous: null, results: [run(2, "queued"), run(1, "done", 1)] };
    const updated = listWithRun(list, run(2, "running", 0.6));
    expect(updated?.results.map((r) => [r.id, r.status, r.progress])).toEqual([
      [2, "running", 0.6],
      [1, "done", 1],
    ]);
    expect(list.results[0]!.status).toBe("queued"); // not mutated
    expect(listWithRun(list, run(3, "running"))).toBeNull();
    expect(listWithRun(undefined, run(3, "running"))).toBeNull();
  });

  it("polls rarely while pushed, every second otherwise", () => {
    expect(pollInterval(true)).toBeGreaterThanOrEqual(10_000);
    expect(pollInterval(false)).toBe(1000);
  });
});
