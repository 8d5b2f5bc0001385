// Bar replay as a pure state machine: no React, no timers, no chart. The clock hook feeds it
// `tick`s with the elapsed milliseconds; the chart and panels only read `cursor`.
import { candleIndexAt, timesContain } from "./cursor";

export const PLAYBACK_SPEEDS = [1, 2, 4, 8, 16, 32, 64, "max"] as const;
/** Candles per second, or "max": as many as animation frames allow. */
export type PlaybackSpeed = (typeof PLAYBACK_SPEEDS)[number];

export const DEFAULT_SPEED: PlaybackSpeed = 8;

// Candles per animation frame at "max": about 480 candles/s at 60 fps while each frame's chart work
// stays a few series.update calls, far below the 16 ms budget.
export const MAX_SPEED_CANDLES_PER_FRAME = 8;

// A frame that arrives later than this (background tab, debugger pause) counts as this long, so
// playback resumes where it was instead of jumping ahead.
export const MAX_TICK_MS = 250;

export interface PlaybackState {
  /** Open times of the loaded candles, ascending. */
  times: readonly number[];
  /** Index of the last shown candle; -1 when nothing is loaded. */
  cursor: number;
  playing: boolean;
  speed: PlaybackSpeed;
  /** Elapsed milliseconds not yet turned into a whole candle. */
  carryMs: number;
  /** Select-bar mode (TradingView's): every candle shown, a click picks the replay's start. */
  selectingBar: boolean;
}

export type PlaybackAction =
  /**
   * New candles (first load, another timeframe, symbol or window). The cursor stays on the candle
   * containing the current cursor time (or `anchorTime` when there was none yet); when the new
   * candles do not contain that moment, every loaded candle is shown.
   */
  | { type: "load"; times: readonly number[]; anchorTime: number | null }
  | { type: "play" }
  | { type: "pause" }
  | { type: "togglePlay" }
  | { type: "stepForward" }
  | { type: "stepBack" }
  /** Scrub to a candle index (clamped); playing continues from there. */
  | { type: "seek"; index: number }
  | { type: "setSpeed"; speed: PlaybackSpeed }
  /** Home / End: the first / last candle (paused). */
  | { type: "first" }
  | { type: "last" }
  /** Select-bar mode on (paused) / off without choosing; `pickBar` chooses and leaves it. */
  | { type: "selectBar" }
  | { type: "cancelSelectBar" }
  | { type: "pickBar"; index: number }
  | { type: "tick"; elapsedMs: number };

export const initialPlaybackState: PlaybackState = {
  times: [],
  cursor: -1,
  playing: false,
  speed: DEFAULT_SPEED,
  carryMs: 0,
  selectingBar: false,
};

/**
 * Where a replay opens without a chosen moment: halfway through the loaded candles, so there is
 * history to read and as much left to replay (opening on the last candle would show the outcome).
 */
export function defaultReplayStart(count: number): number {
  return count === 0 ? -1 : Math.floor((count - 1) / 2);
}

/** The candle the chart draws up to: every one while a bar is being selected. */
export function shownCursor(state: PlaybackState): number {
  return state.selectingBar ? state.times.length - 1 : state.cursor;
}

export function cursorTime(state: PlaybackState): number | null {
  return state.times[state.cursor] ?? null;
}

export function isAtEnd(state: PlaybackState): boolean {
  return state.cursor >= state.times.length - 1;
}

export function playbackReducer(state: PlaybackState, action: PlaybackAction): PlaybackState {
  switch (action.type) {
    case "load":
      return load(state, action.times, action.anchorTime);
    case "play":
      return play(state);
    case "pause":
      return state.playing ? { ...state, playing: false, carryMs: 0 } : state;
    case "togglePlay":
      return state.playing ? playbackReducer(state, { type: "pause" }) : play(state);
    case "stepForward":
      return moveTo(paused(state), state.cursor + 1);
    case "stepBack":
      return moveTo(paused(state), state.cursor - 1);
    case "seek":
      return moveTo({ ...state, carryMs: 0 }, action.index);
    case "setSpeed":
      return { ...state, speed: action.speed, carryMs: 0 };
    case "tick":
      return tick(state, action.elapsedMs);
    case "first":
      return moveTo(paused(state), 0);
    case "last":
      return moveTo(paused(state), state.times.length - 1);
    case "selectBar":
      return state.times.length === 0 ? state : { ...paused(state), selectingBar: true };
    case "cancelSelectBar":
      return state.selectingBar ? { ...state, selectingBar: false } : state;
    case "pickBar":
      return moveTo({ ...paused(state), selectingBar: false }, action.index);
  }
}

const paused = (state: PlaybackState): PlaybackState => ({ ...state, playing: false, carryMs: 0 });

function load(state: PlaybackState, times: readonly number[], anchorTime: number | null): PlaybackState {
  const anchor = cursorTime(state) ?? anchorTime;
  const last = times.length - 1;
  let cursor: number;
  if (anchor === null) cursor = defaultReplayStart(times.length);
  else cursor = timesContain(times, anchor) ? candleIndexAt(times, anchor) : last;
  return { ...state, times, cursor, playing: false, carryMs: 0, selectingBar: false };
}

function play(state: PlaybackState): PlaybackState {
  if (state.selectingBar) state = { ...state, selectingBar: false };
  if (state.times.length < 2 || state.playing) return state;
  // Like a replay that reached the present: pressing play again starts over from the first candle.
  const cursor = isAtEnd(state) ? 0 : state.cursor;
  return { ...state, cursor, playing: true, carryMs: 0 };
}

function moveTo(state: PlaybackState, index: number): PlaybackState {
  if (state.times.length === 0) return state;
  const cursor = Math.min(Math.max(Math.round(index), 0), state.times.length - 1);
  return { ...state, cursor };
}

function tick(state: PlaybackState, elapsedMs: number): PlaybackState {
  if (!state.playing) return state;
  let advance: number;
  let carryMs = 0;
  if (state.speed === "max") {
    advance = MAX_SPEED_CANDLES_PER_FRAME;
  } else {
    const msPerCandle = 1000 / state.speed;
    const available = state.carryMs + Math.min(Math.max(elapsedMs, 0), MAX_TICK_MS);
    advance = Math.floor(available / msPerCandle);
    carryMs = available - advance * msPerCandle;
  }
  const last = state.times.length - 1;
  const cursor = Math.min(state.cursor + advance, last);
  if (cursor === last) return { ...state, cursor, playing: false, carryMs: 0 };
  return { ...state, cursor, carryMs };
}
