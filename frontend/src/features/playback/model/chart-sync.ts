// How to bring the chart from what it shows to what the cursor asks for, with the least work:
// append bars one by one with series.update during playback, replace everything (setData) only
// when the data changed, the cursor went back, it jumped too far ahead for appends to be cheap,
// or the playing window moved.
//
// Why a playing window: Lightweight Charts re-processes every point of a series on each update and
// on each frame whose data changed (about 25 ms per frame for 4 series of 10,000 points on a small
// CPU). While playing, the chart therefore holds only the last PLAYING_HISTORY_CANDLES candles
// before the cursor (plus those played since); pausing restores the full history for scrolling
// back. Each switch is one setData, never one per tick.

// A forward jump longer than this many candles (a scrub, a seek) replaces the data: one setData
// costs about as much as a few dozen updates.
export const MAX_APPEND_CANDLES = 64;

// Candles kept before the cursor when playback starts: several screens of history.
export const PLAYING_HISTORY_CANDLES = 1_000;

// While playing, the series grows by one point per candle; past this size it is cut back to
// PLAYING_HISTORY_CANDLES (one setData every 2,000 played candles).
export const PLAYING_MAX_SERIES_CANDLES = 3_000;

export interface RenderedState {
  dataId: object;
  cursor: number;
  /** Index of the first candle in the chart's series. */
  windowStart: number;
}

export type ChartSyncPlan =
  | { kind: "none" }
  /** setData with the candles windowStart..cursor. */
  | { kind: "reset"; reason: "load" | "seek" | "window"; windowStart: number }
  /** Append the candles of indexes from..to (inclusive). */
  | { kind: "append"; from: number; to: number };

/** First candle the chart should hold: all of them when paused, a moving window while playing. */
export function windowStartFor(currentStart: number, cursor: number, playing: boolean): number {
  if (!playing) return 0;
  const size = cursor + 1 - currentStart;
  if (cursor >= currentStart && size <= PLAYING_MAX_SERIES_CANDLES) return currentStart;
  return Math.max(0, cursor + 1 - PLAYING_HISTORY_CANDLES);
}

export function planChartSync(rendered: RenderedState | null, dataId: object, cursor: number, playing: boolean): ChartSyncPlan {
  if (rendered === null || rendered.dataId !== dataId) {
    return { kind: "reset", reason: "load", windowStart: windowStartFor(0, cursor, playing) };
  }
  const windowStart = windowStartFor(rendered.windowStart, cursor, playing);
  if (cursor < rendered.cursor || cursor - rendered.cursor > MAX_APPEND_CANDLES) {
    return { kind: "reset", reason: "seek", windowStart };
  }
  if (windowStart !== rendered.windowStart) return { kind: "reset", reason: "window", windowStart };
  if (cursor === rendered.cursor) return { kind: "none" };
  return { kind: "append", from: rendered.cursor + 1, to: cursor };
}
