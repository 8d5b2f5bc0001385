import { describe, expect, it } from "vitest";
import {
  cursorTime,
  shownCursor,
  initialPlaybackState,
  MAX_SPEED_CANDLES_PER_FRAME,
  MAX_TICK_MS,
  playbackReducer,
  type PlaybackAction,
  type PlaybackState,
} from "./playback-machine";

const HOUR = 3600;
const T0 = 1_704_067_200; // 2024-01-01 00:00 UTC
const hourly = (count: number) => Array.from({ length: count }, (_, i) => T0 + i * HOUR);

function run(state: PlaybackState, ...actions: PlaybackAction[]): PlaybackState {
  return actions.reduce(playbackReducer, state);
}

function loaded(count = 10, anchorTime: number | null = null): PlaybackState {
  return playbackReducer(initialPlaybackState, { type: "load", times: hourly(count), anchorTime });
}

describe("load", () => {
  it("opens halfway through the candles when no start was chosen (not on the outcome)", () => {
    const state = loaded(10);
    expect(state.cursor).toBe(4);
    expect(state.playing).toBe(false);
    expect(loaded(1).cursor).toBe(0);
  });

  it("puts the cursor on the candle containing the anchor time", () => {
    expect(loaded(10, T0 + 3 * HOUR).cursor).toBe(3);
    expect(loaded(10, T0 + 3 * HOUR + 1800).cursor).toBe(3);
  });

  it("shows every candle when the anchor is outside the data", () => {
    expect(loaded(10, T0 - HOUR).cursor).toBe(9);
    expect(loaded(10, T0 + 50 * HOUR).cursor).toBe(9);
  });

  it("has no cursor without candles, and ignores playback actions", () => {
    const empty = playbackReducer(initialPlaybackState, { type: "load", times: [], anchorTime: null });
    expect(empty.cursor).toBe(-1);
    expect(run(empty, { type: "play" }, { type: "stepForward" }, { type: "tick", elapsedMs: 1000 }).cursor).toBe(-1);
    expect(run(empty, { type: "play" }).playing).toBe(false);
  });

  it("stops playing when new data arrives", () => {
    const playing = run(loaded(10, T0), { type: "play" });
    expect(playing.playing).toBe(true);
    expect(playbackReducer(playing, { type: "load", times: hourly(10), anchorTime: null }).playing).toBe(false);
  });
});

describe("timeframe switch keeps the moment", () => {
  it("moves from 1h to the 4h candle containing the cursor time", () => {
    const hourState = loaded(48, T0 + 10 * HOUR); // cursor 10:00
    const fourHours = Array.from({ length: 12 }, (_, i) => T0 + i * 4 * HOUR);
    const next = playbackReducer(hourState, { type: "load", times: fourHours, anchorTime: null });
    expect(cursorTime(next)).toBe(T0 + 8 * HOUR); // the 08:00-12:00 candle
  });

  it("moves from 1h to the 5m candle opening at the same time", () => {
    const hourState = loaded(48, T0 + 10 * HOUR);
    const fiveMinutes = Array.from({ length: 12 * 24 }, (_, i) => T0 + i * 300);
    const next = playbackReducer(hourState, { type: "load", times: fiveMinutes, anchorTime: null });
    expect(cursorTime(next)).toBe(T0 + 10 * HOUR);
  });

  it("prefers the current cursor over the initial anchor", () => {
    const state = loaded(48, T0 + 10 * HOUR);
    const next = playbackReducer(state, { type: "load", times: hourly(48), anchorTime: T0 + 2 * HOUR });
    expect(cursorTime(next)).toBe(T0 + 10 * HOUR);
  });
});

describe("play and pause", () => {
  it("plays and pauses", () => {
    const state = run(loaded(10, T0), { type: "play" });
    expect(state.playing).toBe(true);
    expect(run(state, { type: "pause" }).playing).toBe(false);
    expect(run(state, { type: "togglePlay" }).playing).toBe(false);
    expect(run(state, { type: "togglePlay" }, { type: "togglePlay" }).playing).toBe(true);
  });

  it("starts over from the first candle when played at the end", () => {
    const state = run(loaded(10, T0 + 9 * HOUR), { type: "play" });
    expect(state.cursor).toBe(0);
    expect(state.playing).toBe(true);
  });

  it("does not play a single candle", () => {
    expect(run(loaded(1), { type: "play" }).playing).toBe(false);
  });

  it("ignores ticks while paused", () => {
    const state = loaded(10, T0);
    expect(playbackReducer(state, { type: "tick", elapsedMs: 5000 })).toBe(state);
  });
});

describe("ticks", () => {
  it("advances speed candles per second, carrying the remainder between frames", () => {
    let state = run(loaded(100, T0), { type: "setSpeed", speed: 4 }, { type: "play" });
    state = run(state, { type: "tick", elapsedMs: 100 }); // 0.4 candle
    expect(state.cursor).toBe(0);
    state = run(state, { type: "tick", elapsedMs: 200 }); // 1.2 candles
    expect(state.cursor).toBe(1);
    state = run(state, ...Array.from({ length: 7 }, () => ({ type: "tick" as const, elapsedMs: 100 }))); // +2.8 = 4.0
    expect(state.cursor).toBe(4);
  });

  it("counts a late frame as at most MAX_TICK_MS", () => {
    const state = run(loaded(1000, T0), { type: "setSpeed", speed: 64 }, { type: "play" }, { type: "tick", elapsedMs: 10_000 });
    expect(state.cursor).toBe(Math.floor((MAX_TICK_MS * 64) / 1000));
  });

  it("ignores negative elapsed time (a frame stamped before the clock started)", () => {
    const state = run(loaded(10, T0), { type: "play" }, { type: "tick", elapsedMs: -5 });
    expect(state.cursor).toBe(0);
    expect(state.carryMs).toBe(0);
  });

  it("advances a fixed number of candles per frame at max speed", () => {
    const state = run(loaded(100, T0), { type: "setSpeed", speed: "max" }, { type: "play" }, { type: "tick", elapsedMs: 1 });
    expect(state.cursor).toBe(MAX_SPEED_CANDLES_PER_FRAME);
  });

  it("stops at the last candle", () => {
    const state = run(loaded(10, T0), { type: "setSpeed", speed: "max" }, { type: "play" }, { type: "tick", elapsedMs: 16 }, { type: "tick", elapsedMs: 16 });
    expect(state.cursor).toBe(9);
    expect(state.playing).toBe(false);
  });
});

describe("speed", () => {
  it("changes the speed and drops the carried time", () => {
    let state = run(loaded(100, T0), { type: "setSpeed", speed: 1 }, { type: "play" }, { type: "tick", elapsedMs: 200 });
    expect(state.carryMs).toBe(200);
    state = run(state, { type: "setSpeed", speed: 32 });
    expect(state.speed).toBe(32);
    expect(state.carryMs).toBe(0);
    expect(state.playing).toBe(true);
    expect(run(state, { type: "tick", elapsedMs: 250 }).cursor).toBe(8);
  });
});

describe("steps", () => {
  it("moves one candle and pauses", () => {
    const playing = run(loaded(10, T0 + 5 * HOUR), { type: "play" });
    const forward = run(playing, { type: "stepForward" });
    expect(forward.cursor).toBe(6);
    expect(forward.playing).toBe(false);
    expect(run(forward, { type: "stepBack" }, { type: "stepBack" }).cursor).toBe(4);
  });

  it("stays within the data at both ends", () => {
    expect(run(loaded(10, T0), { type: "stepBack" }).cursor).toBe(0);
    expect(run(loaded(10, T0 + 9 * HOUR), { type: "stepForward" }).cursor).toBe(9);
  });
});

describe("scrub", () => {
  it("moves to the index, clamped, and keeps playing", () => {
    const state = run(loaded(10, T0), { type: "play" });
    expect(run(state, { type: "seek", index: 7 }).cursor).toBe(7);
    expect(run(state, { type: "seek", index: 7 }).playing).toBe(true);
    expect(run(state, { type: "seek", index: 70 }).cursor).toBe(9);
    expect(run(state, { type: "seek", index: -3 }).cursor).toBe(0);
    expect(run(state, { type: "seek", index: 2.6 }).cursor).toBe(3);
  });
});

describe("Bar-Replay habits", () => {
  it("goes to the first and the last candle (Home / End), pausing", () => {
    const playing = run(loaded(10, T0 + 5 * HOUR), { type: "play" });
    expect(run(playing, { type: "first" })).toMatchObject({ cursor: 0, playing: false });
    expect(run(playing, { type: "last" })).toMatchObject({ cursor: 9, playing: false });
  });

  it("shows every candle while selecting a bar, then cuts the chart at the bar picked", () => {
    const selecting = run(loaded(10, T0 + 5 * HOUR), { type: "play" }, { type: "selectBar" });
    expect(selecting).toMatchObject({ selectingBar: true, playing: false, cursor: 5 });
    expect(shownCursor(selecting)).toBe(9);
    const picked = run(selecting, { type: "pickBar", index: 2 });
    expect(picked).toMatchObject({ selectingBar: false, cursor: 2 });
    expect(shownCursor(picked)).toBe(2);
  });

  it("leaves select-bar mode unchanged on cancel, and on play", () => {
    const selecting = run(loaded(10, T0 + 5 * HOUR), { type: "selectBar" });
    expect(run(selecting, { type: "cancelSelectBar" })).toMatchObject({ selectingBar: false, cursor: 5 });
    expect(run(selecting, { type: "play" })).toMatchObject({ selectingBar: false, playing: true, cursor: 5 });
  });

  it("clamps a picked bar to the candles, and cannot select without candles", () => {
    expect(run(loaded(10, T0), { type: "selectBar" }, { type: "pickBar", index: 99 }).cursor).toBe(9);
    const empty = playbackReducer(initialPlaybackState, { type: "load", times: [], anchorTime: null });
    expect(run(empty, { type: "selectBar" }).selectingBar).toBe(false);
  });
});
