import { describe, expect, it } from "vitest";
import { windowKeepingCursor } from "./request-window";

const H = 3600;
const LATEST = 1_725_591_600; // newest stored 1h candle
const none = { start: null, end: null };

describe("windowKeepingCursor", () => {
  it("keeps the latest window when it contains the cursor", () => {
    const window = windowKeepingCursor({ window: none, cursorTime: LATEST - 100 * H, limit: 500, candleSeconds: H, latestStored: LATEST });
    expect(window).toBe(none);
  });

  it("centres a window on a cursor older than the latest candles", () => {
    const cursorTime = LATEST - 10 * 86_400;
    const window = windowKeepingCursor({ window: none, cursorTime, limit: 500, candleSeconds: 300, latestStored: LATEST });
    expect(window).toEqual({ start: null, end: cursorTime + 250 * 300 });
  });

  it("drops the dates when a centred window would reach the newest candle", () => {
    const cursorTime = LATEST - 20 * 300;
    const window = windowKeepingCursor({ window: { start: null, end: LATEST - 100 * 300 }, cursorTime, limit: 50, candleSeconds: 300, latestStored: LATEST });
    expect(window).toEqual(none);
  });

  it("keeps a start window that reaches the cursor, moves one that does not", () => {
    const start = LATEST - 100 * 86_400;
    const inside = windowKeepingCursor({ window: { start, end: null }, cursorTime: start + 100 * H, limit: 500, candleSeconds: H, latestStored: LATEST });
    expect(inside).toEqual({ start, end: null });
    const cursorTime = start + 30 * 86_400;
    const moved = windowKeepingCursor({ window: { start, end: null }, cursorTime, limit: 500, candleSeconds: 300, latestStored: LATEST });
    expect(moved).toEqual({ start: null, end: cursorTime + 250 * 300 });
  });

  it("keeps the window when nothing is known about the stored candles", () => {
    const window = windowKeepingCursor({ window: none, cursorTime: 0, limit: 500, candleSeconds: H, latestStored: null });
    expect(window).toBe(none);
  });
});
