// The bots the page shows, kept live by /ws/bots/ (docs/bots.md "API and WebSocket").
//
// Every message carries `seq`, the bot's message number; every bot read from the API carries
// `event_seq`, the number of the last message its state already reflects. After a (re)connect the
// page re-reads the bots (a resync) and buffers the messages that arrive meanwhile; once the
// bots are read, the buffered messages are applied, and any message whose number is not above
// the bot's is ignored: it is already in the state, or older than it (out of order).
import type { Bot } from "../api/types";
import { MESSAGE_ERROR, MESSAGE_HEARTBEAT, MESSAGE_READY } from "@/lib/realtime-protocol";

/** One message of /ws/bots/ (the fields the list uses; the rest is kept in `raw`). */
export interface BotMessage {
  type: string;
  bot: number;
  seq: number;
  candle_ms?: number | null;
  status?: string;
  message?: string;
  equity?: number;
  side?: number;
  size?: number;
  entry_price?: number;
  stop_price?: number | null;
  target_price?: number | null;
  /** A "warning" message: the holdings check's words ("" once the books agree again). */
  books_warning?: string;
}

export interface BotsState {
  bots: Bot[];
  /** False from a (re)connect until the re-read bots arrive: messages wait in `pending`. */
  synced: boolean;
  pending: BotMessage[];
  /** The newest messages applied, newest first (the page's activity feed). */
  recent: BotMessage[];
}

export type BotsAction =
  | { type: "resync-start" }
  | { type: "resync"; bots: Bot[] }
  | { type: "message"; message: BotMessage }
  | { type: "messages"; messages: BotMessage[] }
  | { type: "removed"; id: number }
  | { type: "upsert"; bot: Bot };

export const RECENT = 50;

export const initialBotsState: BotsState = { bots: [], synced: false, pending: [], recent: [] };

const CONTROL = new Set<string>([MESSAGE_READY, MESSAGE_HEARTBEAT, MESSAGE_ERROR]);

/** A socket frame as a bot message, or null (the handshake, heartbeats, anything malformed). */
export function parseBotMessage(data: unknown): BotMessage | null {
  let value: unknown = data;
  if (typeof data === "string") {
    try {
      value = JSON.parse(data);
    } catch {
      return null;
    }
  }
  if (!value || typeof value !== "object") return null;
  const m = value as Record<string, unknown>;
  if (typeof m.type !== "string" || CONTROL.has(m.type)) return null;
  if (typeof m.bot !== "number" || typeof m.seq !== "number") return null;
  return m as unknown as BotMessage;
}

const money = (value: number) => String(value);

/** The bot after one message (already known to be newer than the bot's state). */
export function applyToBot(bot: Bot, m: BotMessage): Bot {
  const next: Bot = { ...bot, event_seq: m.seq };
  if (m.type === "status" && m.status) {
    next.status = m.status as Bot["status"];
    next.status_message = m.message ?? "";
    next.stalled = "";
  } else if (m.type === "stalled") {
    next.stalled = (m.message ?? "").replace(/^Stalled: /, "");
  } else if (m.type === "resumed") {
    next.stalled = "";
  } else if (m.type === "warning" && typeof m.books_warning === "string") {
    next.books_warning = m.books_warning;
  } else if (m.type === "equity" && typeof m.equity === "number") {
    const dayStart = Number(bot.marked_equity) - Number(bot.today_pnl);
    next.marked_equity = money(m.equity);
    next.total_pnl = money(m.equity - Number(bot.paper_capital));
    next.today_pnl = money(m.equity - dayStart);
    if (typeof m.candle_ms === "number") next.last_candle = Math.floor(m.candle_ms / 1000);
    next.last_decision_at = new Date().toISOString();
    next.stalled = ""; // a decision: on time again
  } else if (m.type === "position") {
    if (!m.side) next.position = null;
    else
      next.position = {
        side: m.side,
        size: money(m.size ?? 0),
        entry_price: money(m.entry_price ?? 0),
        entry_fee: bot.position?.entry_fee ?? "0",
        entry_time: typeof m.candle_ms === "number" ? Math.floor(m.candle_ms / 1000) : 0,
        stop_price: m.stop_price == null ? null : money(m.stop_price),
        target_price: m.target_price == null ? null : money(m.target_price),
      } as Bot["position"];
  }
  return next;
}

function applyAll(bots: Bot[], messages: BotMessage[]): { bots: Bot[]; applied: BotMessage[] } {
  if (!messages.length) return { bots, applied: [] };
  const index = new Map(bots.map((b, i) => [b.id, i]));
  const next = bots.slice();
  const applied: BotMessage[] = [];
  for (const m of messages) {
    const i = index.get(m.bot);
    if (i === undefined) continue; // a bot this list does not hold (created elsewhere: re-read)
    const bot = next[i]!;
    if (m.seq <= bot.event_seq) continue; // already reflected, or out of order
    next[i] = applyToBot(bot, m);
    applied.push(m);
  }
  return { bots: applied.length ? next : bots, applied };
}

const withRecent = (recent: BotMessage[], applied: BotMessage[]) =>
  applied.length ? [...applied.slice().reverse(), ...recent].slice(0, RECENT) : recent;

export function botsReducer(state: BotsState, action: BotsAction): BotsState {
  switch (action.type) {
    case "resync-start":
      return { ...state, synced: false, pending: [] };
    case "resync": {
      const pending = state.pending.slice().sort((a, b) => a.seq - b.seq);
      const { bots, applied } = applyAll(action.bots, pending);
      return { bots, synced: true, pending: [], recent: withRecent(state.recent, applied) };
    }
    case "message":
    case "messages": {
      const messages = action.type === "message" ? [action.message] : action.messages;
      if (!state.synced) return { ...state, pending: [...state.pending, ...messages] };
      const { bots, applied } = applyAll(state.bots, messages);
      if (!applied.length) return state;
      return { ...state, bots, recent: withRecent(state.recent, applied) };
    }
    case "removed":
      return { ...state, bots: state.bots.filter((b) => b.id !== action.id) };
    case "upsert": {
      const known = state.bots.some((b) => b.id === action.bot.id);
      const keep = (b: Bot) => (b.id === action.bot.id ? (b.event_seq > action.bot.event_seq ? b : action.bot) : b);
      return { ...state, bots: known ? state.bots.map(keep) : [action.bot, ...state.bots] };
    }
  }
}

/** Whether a message means the bot list should be read again (a bot it does not hold). */
export function unknownBot(state: BotsState, m: BotMessage): boolean {
  return state.synced && !state.bots.some((b) => b.id === m.bot);
}
