// Pure state of a backtest replay (docs/backtesting.md, "Replay over WebSocket").
// The hook feeds it socket status changes and the events it draws, one at a time.

import type { SocketStatus } from "@/lib/realtime-socket";
import { CLOSE_NOT_FOUND, CLOSE_NOT_READY, CLOSE_TOO_MANY, CLOSE_UNAUTHENTICATED, MESSAGE_READY } from "@/lib/realtime-protocol";

export type ReplaySpeed = number | "max";

export interface ReplayCandle {
  type: "candle";
  index: number;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  equity: number | null;
}

export interface ReplayTradeEvent {
  type: "entry" | "exit";
  trade: number;
  time: number;
  side: "long" | "short";
  price: number;
  size: number;
  fee: number;
  pnl?: number;
  return_fraction?: number;
  reason?: string;
}

export type ReplayStreamEvent = ReplayCandle | ReplayTradeEvent;

/** The replay socket's handshake (the one every socket sends first, with the run's figures). */
export interface ReplayStart {
  type: typeof MESSAGE_READY;
  push?: boolean;
  run: number;
  total: number;
  speed: ReplaySpeed;
  heartbeat?: number;
  max_credit?: number;
  history?: number;
}

export interface ReplaySeeked {
  type: "seeked";
  index: number;
  time: number | null;
  /** The candles (with their entries and exits) just before `index`, to redraw around it. */
  history: ReplayStreamEvent[];
}

export type ReplayServerMessage =
  | ReplayStart
  | { type: "batch"; first: number; count: number; events: ReplayStreamEvent[] }
  | { type: "paused"; index: number }
  | { type: "resumed"; index: number }
  | { type: "speed"; speed: ReplaySpeed }
  | ReplaySeeked
  | { type: "end"; index?: number }
  | { type: "heartbeat" }
  | { type: "error"; detail: string };

export type ReplayClientMessage =
  | { action: "credit"; candles: number }
  | { action: "pause" }
  | { action: "resume" }
  | { action: "speed"; candles_per_second: ReplaySpeed }
  | { action: "seek"; time: number }
  | { action: "seek"; index: number };

export type ReplayConnection = "connecting" | "open" | "reconnecting" | "closed";

export interface ReplayMarker {
  /** The candle the event falls in (markers sit on bars). */
  time: number;
  kind: "entry" | "exit";
  side: "long" | "short";
  trade: number;
  price: number;
  reason?: string;
}

export interface ReplayState {
  connection: ReplayConnection;
  closeCode: number | null;
  closeReason: string;
  /** While reconnecting: the attempt number and the delay before it. */
  attempt: number;
  retryInMs: number | null;
  total: number | null;
  /** The next candle index to draw. */
  index: number;
  /** Candles drawn since the start or the last seek. */
  candles: number;
  lastTime: number | null;
  equity: number | null;
  markers: ReplayMarker[];
  paused: boolean;
  speed: ReplaySpeed | null;
  ended: boolean;
  error: string | null;
}

export type ReplayEvent =
  | { kind: "status"; status: SocketStatus }
  | { kind: "message"; message: ReplayServerMessage | ReplayStreamEvent }
  /** After a seek: what the chart now shows up to the new position. */
  | { kind: "redraw"; index: number; candles: ReplayCandle[]; markers: ReplayMarker[] };

export const initialReplayState: ReplayState = {
  connection: "connecting",
  closeCode: null,
  closeReason: "",
  attempt: 0,
  retryInMs: null,
  total: null,
  index: 0,
  candles: 0,
  lastTime: null,
  equity: null,
  markers: [],
  paused: false,
  speed: null,
  ended: false,
  error: null,
};

export const SPEED_CHOICES: ReplaySpeed[] = [1, 5, 10, 50, 100, 500, 1000, "max"];

/** Candles the client lets the server send ahead of what it has drawn: one frame's worth at
 * "max", so Pause takes effect within a frame, and the server holds at most this many in flight. */
export const CREDIT_WINDOW = 240;

/** Close codes after which reconnecting cannot help. */
export const FINAL_CLOSE_CODES = [1000, CLOSE_UNAUTHENTICATED, CLOSE_NOT_FOUND, CLOSE_NOT_READY] as const;

export function parseServerMessage(raw: unknown): ReplayServerMessage | null {
  if (typeof raw !== "string") return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === "object" && typeof (value as { type?: unknown }).type === "string") return value as ReplayServerMessage;
  } catch {
    // not JSON
  }
  return null;
}

export function markerOf(event: ReplayTradeEvent, candleTime: number | null): ReplayMarker {
  return { time: candleTime ?? event.time, kind: event.type, side: event.side, trade: event.trade, price: event.price, reason: event.reason };
}

/** The last known equity among `candles` (null where the curve has no value). */
function lastEquity(candles: ReplayCandle[]): number | null {
  for (let i = candles.length - 1; i >= 0; i -= 1) {
    const equity = candles[i]?.equity ?? null;
    if (equity !== null) return equity;
  }
  return null;
}

/**
 * What the chart shows after a seek to `message.index`: the candles and markers already drawn
 * before it when they reach up to it (a seek back), else the server's history before it (a seek
 * forward, past what was drawn).
 */
export function seekRedraw(
  candles: ReplayCandle[],
  markers: ReplayMarker[],
  message: ReplaySeeked,
): { candles: ReplayCandle[]; markers: ReplayMarker[] } {
  const kept = candles.filter((c) => c.index < message.index);
  const reaches = message.index === 0 || kept[kept.length - 1]?.index === message.index - 1;
  if (reaches) {
    const end = message.time ?? Number.POSITIVE_INFINITY;
    return { candles: kept, markers: markers.filter((m) => m.time < end) };
  }
  const history: ReplayCandle[] = [];
  const historyMarkers: ReplayMarker[] = [];
  for (const event of message.history) {
    if (event.type === "candle") history.push(event);
    else historyMarkers.push(markerOf(event, history[history.length - 1]?.time ?? null));
  }
  return { candles: history, markers: historyMarkers };
}

export function replayReducer(state: ReplayState, event: ReplayEvent): ReplayState {
  if (event.kind === "status") {
    const s = event.status;
    if (s.state === "open") return { ...state, connection: "open", closeCode: null, closeReason: "", attempt: 0, retryInMs: null };
    if (s.state === "connecting") return { ...state, connection: state.connection === "reconnecting" ? "reconnecting" : "connecting" };
    if (s.state === "reconnecting")
      return { ...state, connection: "reconnecting", closeCode: s.code, closeReason: s.reason, attempt: s.attempt, retryInMs: s.retryInMs };
    return { ...state, connection: "closed", closeCode: s.code, closeReason: s.reason, retryInMs: null };
  }
  if (event.kind === "redraw") {
    const last = event.candles[event.candles.length - 1] ?? null;
    return {
      ...state,
      index: event.index,
      candles: event.candles.length,
      lastTime: last ? last.time : null,
      equity: lastEquity(event.candles),
      markers: event.markers,
      ended: false,
    };
  }
  const m = event.message;
  switch (m.type) {
    case MESSAGE_READY:
      return { ...initialReplayState, connection: "open", total: m.total, speed: m.speed };
    case "candle":
      return {
        ...state,
        index: m.index + 1,
        candles: state.candles + 1,
        lastTime: m.time,
        equity: m.equity ?? state.equity,
        ended: false,
        error: null,
      };
    case "entry":
    case "exit":
      return { ...state, markers: [...state.markers, markerOf(m, state.lastTime)] };
    case "paused":
      return { ...state, paused: true };
    case "resumed":
      return { ...state, paused: false };
    case "speed":
      return { ...state, speed: m.speed };
    case "end":
      return { ...state, ended: true };
    case "error":
      return { ...state, error: m.detail };
    default:
      return state;
  }
}

/** 1..1000 candles/s (rounded, clamped) or "max". */
export function speedMessage(speed: ReplaySpeed): ReplayClientMessage {
  if (speed === "max") return { action: "speed", candles_per_second: "max" };
  return { action: "speed", candles_per_second: Math.min(1000, Math.max(1, Math.round(speed))) };
}

export function replaySocketUrl(runId: number, loc: { protocol: string; host: string }): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/ws/backtests/${runId}/replay/`;
}

export function closeReason(code: number | null, reason = ""): string | null {
  if (code === null || code === 1000) return null;
  if (code === CLOSE_UNAUTHENTICATED) return "Not signed in: your session has expired — sign in again.";
  if (code === CLOSE_NOT_FOUND) return "No such run.";
  if (code === CLOSE_NOT_READY) return "The run is not finished.";
  if (code === CLOSE_TOO_MANY) return `Too many replays open: ${reason || "close one and retry"}.`;
  return `Connection closed (${code}${reason ? `: ${reason}` : ""}).`;
}
