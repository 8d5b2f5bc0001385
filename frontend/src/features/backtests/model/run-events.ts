// The /ws/backtests/ socket's messages (apps/analytics/event_consumers.py): pure parsing and the
// decisions the page takes on them, unit tested.
import { messageObject, pageWithItem } from "@/lib/realtime-messages";
import { sameHostSocketUrl } from "@/lib/realtime-socket";
import { CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED, MESSAGE_READY } from "@/lib/realtime-protocol";
import type { BacktestRun, Paginated } from "../api/types";

/** After these the server will not change its mind: no reconnect (another user's run or a
 * missing one; signed out, or the session ended). */
export const FINAL_CLOSE_CODES = [1000, CLOSE_UNAUTHENTICATED, CLOSE_NOT_FOUND] as const;

export type RunEvent = { type: typeof MESSAGE_READY; push: boolean } | { type: "run"; run: BacktestRun };

export function runEventsSocketUrl(loc: { protocol: string; host: string }): string {
  return sameHostSocketUrl("/ws/backtests/", loc);
}

export function parseRunEvent(data: unknown): RunEvent | null {
  const m = messageObject(data);
  if (!m) return null;
  if (m.type === MESSAGE_READY && typeof m.push === "boolean") return { type: MESSAGE_READY, push: m.push };
  const run = m.run as Record<string, unknown> | undefined;
  if (m.type === "run" && run && typeof run.id === "number" && typeof run.status === "string") {
    return { type: "run", run: run as unknown as BacktestRun };
  }
  return null;
}

export const isFinished = (status: string | undefined) => status === "done" || status === "failed";

/** The runs list with `run` replaced; null when the run is not in it (then refetch the list). */
export function listWithRun(list: Paginated<BacktestRun> | undefined, run: BacktestRun): Paginated<BacktestRun> | null {
  return pageWithItem(list, run);
}

// How often the page re-reads unfinished runs itself: rarely while the socket pushes their
// changes (a safety net), often when it cannot (socket down, or the in-memory channel layer).
export const POLL_PUSHED_MS = 15_000;
export const POLL_UNPUSHED_MS = 1_000;

export function pollInterval(pushing: boolean): number {
  return pushing ? POLL_PUSHED_MS : POLL_UNPUSHED_MS;
}
