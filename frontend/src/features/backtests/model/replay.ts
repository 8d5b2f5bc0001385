// Pure state of a backtest replay (docs/backtesting.md, "Replay over WebSocket").
// The hook feeds it parsed server messages and socket lifecycle events.

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

export type ReplayServerMessage =
  | { type: "start"; run: number; total: number; speed: ReplaySpeed }
  | ReplayCandle
  | ReplayTradeEvent
  | { type: "paused"; index: number }
  | { type: "resumed"; index: number }
  | { type: "speed"; speed: ReplaySpeed }
  | { type: "seeked"; index: number; time: number | null }
  | { type: "end" }
  | { type: "error"; detail: string };

export type ReplayClientMessage =
  | { action: "pause" }
  | { action: "resume" }
  | { action: "speed"; candles_per_second: ReplaySpeed }
  | { action: "seek"; time: number };

export type ReplayConnection = "connecting" | "open" | "closed";

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
  total: number | null;
  /** The next candle index the server will send. */
  index: number;
  /** Candles received since the start or the last seek. */
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
  | { kind: "open" }
  | { kind: "close"; code: number }
  | { kind: "message"; message: ReplayServerMessage };

export const initialReplayState: ReplayState = {
  connection: "connecting",
  closeCode: null,
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

export function replayReducer(state: ReplayState, event: ReplayEvent): ReplayState {
  if (event.kind === "open") return { ...state, connection: "open", closeCode: null };
  if (event.kind === "close") return { ...state, connection: "closed", closeCode: event.code };
  const m = event.message;
  switch (m.type) {
    case "start":
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
    case "exit": {
      const marker: ReplayMarker = { time: state.lastTime ?? m.time, kind: m.type, side: m.side, trade: m.trade, price: m.price, reason: m.reason };
      return { ...state, markers: [...state.markers, marker] };
    }
    case "paused":
      return { ...state, paused: true, index: m.index };
    case "resumed":
      return { ...state, paused: false, index: m.index };
    case "speed":
      return { ...state, speed: m.speed };
    case "seeked": {
      // Keep what lies before the new position; the server continues from there.
      const before = (t: number) => m.time === null || t < m.time;
      return {
        ...state,
        index: m.index,
        markers: state.markers.filter((mk) => before(mk.time)),
        lastTime: state.lastTime !== null && before(state.lastTime) ? state.lastTime : null,
        ended: false,
      };
    }
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

export function closeReason(code: number | null): string | null {
  if (code === null) return null;
  if (code === 4403) return "Not allowed: your session has expired — sign in again.";
  if (code === 4404) return "No such run.";
  if (code === 4409) return "The run is not finished.";
  if (code === 1000) return null;
  return `Connection closed (${code}).`;
}
