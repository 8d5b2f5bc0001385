import { describe, expect, it } from "vitest";
import type { Bot } from "../api/types";
import { botsReducer, initialBotsState, parseBotMessage, type BotMessage, type BotsState } from "./bots-state";

const bot = (id: number, seq: number, extra: Partial<Bot> = {}): Bot =>
  ({
    id,
    name: `bot ${id}`,
    status: "running",
    status_message: "",
    paper_capital: "10000",
    marked_equity: "10000",
    total_pnl: "0",
    today_pnl: "0",
    position: null,
    event_seq: seq,
    ...extra,
  }) as Bot;

const msg = (botId: number, seq: number, type: string, extra: Partial<BotMessage> = {}): BotMessage => ({ type, bot: botId, seq, ...extra });

const synced = (...bots: Bot[]): BotsState => botsReducer(botsReducer(initialBotsState, { type: "resync-start" }), { type: "resync", bots });

describe("botsReducer", () => {
  it("shows and clears the holdings warning as the messages say", () => {
    let state = botsReducer(synced(bot(1, 1, { books_warning: "" })), { type: "message", message: msg(1, 2, "warning", { message: "holds more", books_warning: "holds 0.05 BTC more" }) });
    expect(state.bots[0]!.books_warning).toBe("holds 0.05 BTC more");
    state = botsReducer(state, { type: "message", message: msg(1, 3, "warning", { message: "agree again", books_warning: "" }) });
    expect(state.bots[0]!.books_warning).toBe("");
  });

  it("shows a stall as the watch says it, and clears it at the next decision or on resuming", () => {
    const late = "Stalled: No new 5m candles from binance for BTCUSDT: the last one closed 12 min ago";
    let state = botsReducer(synced(bot(1, 1, { stalled: "" })), { type: "message", message: msg(1, 2, "stalled", { message: late }) });
    expect(state.bots[0]!.stalled).toBe("No new 5m candles from binance for BTCUSDT: the last one closed 12 min ago");
    state = botsReducer(state, { type: "message", message: msg(1, 3, "equity", { equity: 10_010, candle_ms: 1_700_000_000_000 }) });
    expect(state.bots[0]!.stalled).toBe("");
    state = botsReducer(state, { type: "message", message: msg(1, 4, "stalled", { message: late }) });
    state = botsReducer(state, { type: "message", message: msg(1, 5, "resumed", { message: "Deciding on time again." }) });
    expect(state.bots[0]!.stalled).toBe("");
  });

  it("buffers messages during a resync, then applies only those newer than the re-read state", () => {
    let state = botsReducer(synced(bot(1, 3)), { type: "resync-start" });
    // While the bots are re-read: 4 (already in the re-read state), 5 and 6 (after it).
    state = botsReducer(state, { type: "message", message: msg(1, 6, "equity", { equity: 10_250, candle_ms: 1_700_000_000_000 }) });
    state = botsReducer(state, { type: "message", message: msg(1, 4, "status", { status: "stopped", message: "old" }) });
    state = botsReducer(state, { type: "message", message: msg(1, 5, "position", { side: 1, size: 0.1, entry_price: 60_000 }) });
    expect(state.bots[0]!.event_seq).toBe(3); // nothing applied before the bots are read
    expect(state.pending).toHaveLength(3);

    state = botsReducer(state, { type: "resync", bots: [bot(1, 4, { status: "running", marked_equity: "10100", today_pnl: "100" })] });
    const after = state.bots[0]!;
    expect(state.synced).toBe(true);
    expect(state.pending).toEqual([]);
    expect(after.status).toBe("running"); // message 4 was in the state already: not re-applied
    expect(after.position?.side).toBe(1); // 5 applied
    expect(after.marked_equity).toBe("10250"); // then 6, in number order
    expect(after.total_pnl).toBe("250");
    expect(after.today_pnl).toBe("250"); // the day started at 10,000
    expect(after.last_candle).toBe(1_700_000_000);
    expect(after.event_seq).toBe(6);
    expect(state.recent.map((m) => m.seq)).toEqual([6, 5]);
  });

  it("ignores out-of-order and repeated messages by sequence number", () => {
    let state = synced(bot(1, 10), bot(2, 1));
    state = botsReducer(state, { type: "message", message: msg(1, 12, "status", { status: "error", message: "boom" }) });
    const before = state;
    state = botsReducer(state, { type: "message", message: msg(1, 11, "status", { status: "running" }) }); // late
    state = botsReducer(state, { type: "message", message: msg(1, 12, "status", { status: "running" }) }); // again
    expect(state).toBe(before);
    expect(state.bots[0]!.status).toBe("error");
    expect(state.bots[0]!.status_message).toBe("boom");
    // Another bot's numbers are its own.
    state = botsReducer(state, { type: "message", message: msg(2, 2, "status", { status: "stopped" }) });
    expect(state.bots[1]!.status).toBe("stopped");
  });

  it("a flat position message clears the position; an upsert never goes back in time", () => {
    let state = synced(bot(1, 1, { position: { side: -1, size: "1", entry_price: "1", entry_fee: "0", entry_time: 0, stop_price: null, target_price: null } }));
    state = botsReducer(state, { type: "message", message: msg(1, 2, "position", { side: 0 }) });
    expect(state.bots[0]!.position).toBeNull();
    state = botsReducer(state, { type: "upsert", bot: bot(1, 1, { status: "stopped" }) });
    expect(state.bots[0]!.event_seq).toBe(2);
    state = botsReducer(state, { type: "upsert", bot: bot(7, 0) });
    expect(state.bots.map((b) => b.id)).toEqual([7, 1]);
    state = botsReducer(state, { type: "removed", id: 7 });
    expect(state.bots.map((b) => b.id)).toEqual([1]);
  });
});

describe("parseBotMessage", () => {
  it("keeps numbered bot messages only", () => {
    expect(parseBotMessage('{"type":"heartbeat"}')).toBeNull();
    expect(parseBotMessage('{"type":"ready","push":true,"heartbeat":5,"bots":[]}')).toBeNull();
    expect(parseBotMessage('{"type":"equity","bot":1}')).toBeNull();
    expect(parseBotMessage("not json")).toBeNull();
    expect(parseBotMessage('{"type":"fill","bot":1,"seq":3}')).toEqual({ type: "fill", bot: 1, seq: 3 });
  });
});
