import { describe, expect, it } from "vitest";
import {
  MAX_APPEND_CANDLES,
  PLAYING_HISTORY_CANDLES,
  PLAYING_MAX_SERIES_CANDLES,
  planChartSync,
  windowStartFor,
} from "./chart-sync";

describe("planChartSync", () => {
  const data = {};
  const at = (cursor: number, windowStart = 0) => ({ dataId: data, cursor, windowStart });

  it("sets the data on the first render and when the data changes", () => {
    expect(planChartSync(null, data, 5, false)).toEqual({ kind: "reset", reason: "load", windowStart: 0 });
    expect(planChartSync({ dataId: {}, cursor: 5, windowStart: 0 }, data, 5, false)).toMatchObject({ kind: "reset", reason: "load" });
  });

  it("appends the candles after the rendered cursor when moving forward", () => {
    expect(planChartSync(at(5), data, 6, false)).toEqual({ kind: "append", from: 6, to: 6 });
    expect(planChartSync(at(5), data, 13, true)).toEqual({ kind: "append", from: 6, to: 13 });
  });

  it("does nothing when the cursor did not move", () => {
    expect(planChartSync(at(5), data, 5, false)).toEqual({ kind: "none" });
  });

  it("resets on a step back and on a long jump forward", () => {
    expect(planChartSync(at(5), data, 4, false)).toEqual({ kind: "reset", reason: "seek", windowStart: 0 });
    expect(planChartSync(at(5), data, 6 + MAX_APPEND_CANDLES, false)).toMatchObject({ kind: "reset", reason: "seek" });
  });

  it("cuts a long history to a window when playback starts, and restores it on pause", () => {
    const cursor = 8_000;
    const start = cursor + 1 - PLAYING_HISTORY_CANDLES;
    expect(planChartSync(at(cursor), data, cursor, true)).toEqual({ kind: "reset", reason: "window", windowStart: start });
    expect(planChartSync(at(cursor, start), data, cursor + 8, true)).toEqual({ kind: "append", from: cursor + 1, to: cursor + 8 });
    expect(planChartSync(at(cursor + 8, start), data, cursor + 8, false)).toEqual({ kind: "reset", reason: "window", windowStart: 0 });
  });

  it("keeps a short history whole while playing", () => {
    expect(planChartSync(at(500), data, 501, true)).toEqual({ kind: "append", from: 501, to: 501 });
  });
});

describe("windowStartFor", () => {
  it("holds everything when paused", () => {
    expect(windowStartFor(7_000, 9_000, false)).toBe(0);
  });

  it("keeps the window while it is small enough, then cuts it back", () => {
    expect(windowStartFor(7_000, 7_000 + PLAYING_MAX_SERIES_CANDLES - 1, true)).toBe(7_000);
    const cursor = 7_000 + PLAYING_MAX_SERIES_CANDLES;
    expect(windowStartFor(7_000, cursor, true)).toBe(cursor + 1 - PLAYING_HISTORY_CANDLES);
  });

  it("moves the window back when the cursor goes before it", () => {
    expect(windowStartFor(7_000, 6_500, true)).toBe(6_500 + 1 - PLAYING_HISTORY_CANDLES);
    expect(windowStartFor(7_000, 10, true)).toBe(0);
  });
});
