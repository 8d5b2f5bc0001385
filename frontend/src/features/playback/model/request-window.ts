// Which candles to ask for so that a timeframe switch keeps the cursor's moment on screen.
// The run endpoint returns `limit` candles: the latest ones, the first from `start`, or the last up
// to `end`. 500 one-hour candles span 3 weeks, 500 five-minute ones under 2 days, so a cursor in the
// middle of the hourly window is usually outside the latest five-minute window.

export interface RequestWindow {
  start: number | null;
  end: number | null;
}

export interface WindowKeepingCursorInput {
  window: RequestWindow;
  cursorTime: number;
  limit: number;
  /** Nominal candle length of the new timeframe, in seconds. */
  candleSeconds: number;
  /** Open time of the newest stored candle of the new timeframe, when known. */
  latestStored: number | null;
}

/**
 * The same window when it will contain the cursor time, else one of `limit` candles that ends half
 * a window after it (so the cursor lands in the middle, with history to replay before it).
 * Estimates assume no gaps in the stored candles; a gap only moves the cursor off-centre.
 */
export function windowKeepingCursor(input: WindowKeepingCursorInput): RequestWindow {
  const { window, cursorTime, limit, candleSeconds, latestStored } = input;
  const span = (limit - 1) * candleSeconds;
  let first: number | null;
  let last: number | null;
  if (window.end !== null) {
    last = window.end;
    first = Math.max(window.end - span, window.start ?? -Infinity);
  } else if (window.start !== null) {
    first = window.start;
    last = window.start + span;
  } else {
    last = latestStored;
    first = latestStored === null ? null : latestStored - span;
  }
  const contains = first !== null && last !== null && cursorTime >= first && cursorTime <= last + candleSeconds;
  if (contains || (first === null && last === null)) return window;
  const halfWindow = Math.floor(limit / 2) * candleSeconds;
  const end = cursorTime + halfWindow;
  // A window ending after the newest stored candle is the latest window: no dates needed.
  if (latestStored !== null && end >= latestStored) return { start: null, end: null };
  return { start: null, end };
}
