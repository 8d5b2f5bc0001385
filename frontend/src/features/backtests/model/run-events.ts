// The /ws/backtests/ socket's messages (apps/analytics/event_consumers.py): pure parsing and the
// decisions the page takes on them, unit tested.
import type { BacktestRun, Paginated } from "../api/types";

export const CLOSE_NOT_YOURS = 4404; // another user's run, or a missing one: do not reconnect
export const CLOSE_SIGNED_OUT = 4401; // signed out (or the session ended): do not reconnect

export type RunEvent = { type: "ready"; push: boolean } | { type: "run"; run: BacktestRun };

export function runEventsSocketUrl(loc: { protocol: string; host: string }): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/ws/backtests/`;
}

export function parseRunEvent(data: unknown): RunEvent | null {
  if (typeof data !== "string") return null;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  if (!message || typeof message !== "object") return null;
  const m = message as Record<string, unknown>;
  if (m.type === "ready" && typeof m.push === "boolean") return { type: "ready", push: m.push };
  const run = m.run as Record<string, unknown> | undefined;
  if (m.type === "run" && run && typeof run.id === "number" && typeof run.status === "string") {
    return { type: "run", run: run as unknown as BacktestRun };
  }
  return null;
}

/** Reconnect after 1, 2, 4 ... seconds, at most 30. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
}

export const isFinished = (status: string | undefined) => status === "done" || status === "failed";

/** The runs list with `run` replaced; null when the run is not in it (then refetch the list). */
export function listWithRun(list: Paginated<BacktestRun> | undefined, run: BacktestRun): Paginated<BacktestRun> | null {
  if (!list) return null;
  const index = list.results.findIndex((r) => r.id === run.id);
  if (index < 0) return null;
  const results = list.results.slice();
  results[index] = run;
  return { ...list, results };
}

// How often the page re-reads unfinished runs itself: rarely while the socket pushes their
// changes (a safety net), often when it cannot (socket down, or the in-memory channel layer).
export const POLL_PUSHED_MS = 15_000;
export const POLL_UNPUSHED_MS = 1_000;

export function pollInterval(pushing: boolean): number {
  return pushing ? POLL_PUSHED_MS : POLL_UNPUSHED_MS;
}
