import { describe, expect, it } from "vitest";
import type { Page, Study } from "../api/types";
import { listWithStudy, parseStudyEvent, POLL_PUSHED_MS, POLL_UNPUSHED_MS, studyPollInterval } from "./study-events";

const study = (id: number, trialsDone: number) => ({ id, status: "running", trials_done: trialsDone }) as Study;

describe("study events", () => {
  it("reads the handshake and a study's progress, and nothing else", () => {
    expect(parseStudyEvent(JSON.stringify({ type: "ready", push: true, heartbeat: 20 }))).toEqual({ type: "ready", push: true });
    expect(parseStudyEvent(JSON.stringify({ type: "study", study: study(3, 12) }))).toEqual({ type: "study", study: study(3, 12) });
    expect(parseStudyEvent(JSON.stringify({ type: "run", run: { id: 1, status: "done" } }))).toBeNull();
    expect(parseStudyEvent(JSON.stringify({ type: "study", study: { id: "3", status: "running", trials_done: 1 } }))).toBeNull();
    expect(parseStudyEvent(JSON.stringify({ type: "study", study: { id: 3, status: "running" } }))).toBeNull();
    expect(parseStudyEvent("{not json")).toBeNull();
    expect(parseStudyEvent(42)).toBeNull();
  });

  it("replaces the study in the list, or asks for the list again when it is not there", () => {
    const list: Page<Study> = { count: 2, results: [study(1, 5), study(2, 7)] };
    expect(listWithStudy(list, study(2, 8))?.results.map((s) => s.trials_done)).toEqual([5, 8]);
    expect(list.results[1]?.trials_done).toBe(7);
    expect(listWithStudy(list, study(9, 1))).toBeNull();
    expect(listWithStudy(undefined, study(1, 1))).toBeNull();
  });

  it("polls rarely while events are pushed and often when they are not", () => {
    expect(studyPollInterval(true)).toBe(POLL_PUSHED_MS);
    expect(studyPollInterval(false)).toBe(POLL_UNPUSHED_MS);
    expect(POLL_UNPUSHED_MS).toBeLessThan(POLL_PUSHED_MS);
  });
});
