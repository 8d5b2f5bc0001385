// The {"type": "study"} messages of /ws/backtests/ (apps/optimisation/events.py): pure parsing and
// the page's decisions on them, unit tested. The socket itself is api/study-events.ts.
import { MESSAGE_READY } from "@/lib/realtime-protocol";
import { messageObject, pageWithItem } from "@/lib/realtime-messages";
import type { Page, Study } from "../api/types";

export type StudyEvent = { type: typeof MESSAGE_READY; push: boolean } | { type: "study"; study: Study };

export function parseStudyEvent(data: unknown): StudyEvent | null {
  const m = messageObject(data);
  if (!m) return null;
  if (m.type === MESSAGE_READY && typeof m.push === "boolean") return { type: MESSAGE_READY, push: m.push };
  const study = m.study as Record<string, unknown> | undefined;
  if (m.type === "study" && study && typeof study.id === "number" && typeof study.status === "string" && typeof study.trials_done === "number") {
    return { type: "study", study: study as unknown as Study };
  }
  return null;
}

/** The studies list with `study` replaced; null when it is not in the list (then read it again). */
export function listWithStudy(list: Page<Study> | undefined, study: Study): Page<Study> | null {
  return pageWithItem(list, study);
}

// How often the page re-reads unfinished studies itself: rarely while the socket pushes their
// progress (a safety net), often when it cannot (socket down, or the in-memory channel layer of
// `make run`, which does not carry the workers' events).
export const POLL_PUSHED_MS = 15_000;
export const POLL_UNPUSHED_MS = 2_000;

export function studyPollInterval(pushing: boolean): number {
  return pushing ? POLL_PUSHED_MS : POLL_UNPUSHED_MS;
}
