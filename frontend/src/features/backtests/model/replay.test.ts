import { describe, expect, it } from "vitest";
import {
  closeReason,
  initialReplayState,
  parseServerMessage,
  replayReducer,
  replaySocketUrl,
  seekRedraw,
  speedMessage,
  type ReplayMarker,
  type ReplayServerMessage,
  type ReplayState,
  type ReplayStreamEvent,
} from "./replay";

const feed = (state: ReplayState, ...messages: (ReplayServerMessage | ReplayStreamEvent)[]) =>
  messages.reduce((s, message) => replayReducer(s, { kind: "message", message }), state);

const candle = (index: number, time: number, equity: number | null = 10_000) =>
  ({ type: "candle", index, time, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, equity }) as const;

describe("replayReducer", () => {
  it("tracks the connection, the start and candles with the live equity", () => {
    let s = replayReducer(initialReplayState, { kind: "status", status: { state: "open", attempt: 0 } });
    expect(s.connection).toBe("open");
    s = feed(s, { type: "ready", run: 3, total: 100, speed: 10 }, candle(0, 600), candle(1, 900, 10_050));
    expect(s).toMatchObject({ total: 100, speed: 10, index: 2, candles: 2, lastTime: 900, equity: 10_050 });
    s = feed(s, candle(2, 1200, null));
    expect(s.equity).toBe(10_050);
  });

  it("puts entries and exits on the candle they fall in", () => {
    const s = feed(
      initialReplayState,
      candle(0, 600),
      { type: "entry", trade: 0, time: 700, side: "long", price: 1, size: 1, fee: 0 },
      candle(1, 900),
      { type: "exit", trade: 0, time: 950, side: "long", price: 2, size: 1, fee: 0, pnl: 1, return_fraction: 1, reason: "signal" },
    );
    expect(s.markers).toEqual([
      { time: 600, kind: "entry", side: "long", trade: 0, price: 1, reason: undefined },
      { time: 900, kind: "exit", side: "long", trade: 0, price: 2, reason: "signal" },
    ]);
  });

  it("reflects the server's confirmations", () => {
    let s = feed(initialReplayState, { type: "paused", index: 40 });
    expect(s.paused).toBe(true);
    s = feed(s, { type: "speed", speed: "max" }, { type: "resumed", index: 40 });
    expect(s).toMatchObject({ paused: false, speed: "max" });
    s = feed(s, { type: "end", index: 100 });
    expect(s.ended).toBe(true);
    s = feed(s, { type: "error", detail: "bad" });
    expect(s.error).toBe("bad");
  });

  it("shows the candle, time and equity before the position after a seek", () => {
    let s = feed(initialReplayState, candle(0, 600), candle(1, 900), { type: "end" });
    s = replayReducer(s, { kind: "redraw", index: 51, candles: [candle(49, 15_300, 9_000), candle(50, 15_600, null)], markers: [] });
    expect(s).toMatchObject({ index: 51, candles: 2, lastTime: 15_600, equity: 9_000, ended: false });
  });

  it("keeps lost, reconnecting and final closes apart", () => {
    let s = replayReducer(initialReplayState, {
      kind: "status",
      status: { state: "reconnecting", attempt: 2, retryInMs: 1000, code: 1006, reason: "" },
    });
    expect(s).toMatchObject({ connection: "reconnecting", attempt: 2, retryInMs: 1000, closeCode: 1006 });
    s = replayReducer(s, { kind: "status", status: { state: "connecting", attempt: 2 } });
    expect(s.connection).toBe("reconnecting"); // the banner stays until the socket is open again
    s = replayReducer(s, { kind: "status", status: { state: "open", attempt: 0 } });
    expect(s).toMatchObject({ connection: "open", closeCode: null, retryInMs: null });
    s = replayReducer(s, { kind: "status", status: { state: "closed", code: 4404, reason: "no such run" } });
    expect(s).toMatchObject({ connection: "closed", closeCode: 4404 });
  });
});

describe("seekRedraw", () => {
  const markers: ReplayMarker[] = [
    { time: 600, kind: "entry", side: "long", trade: 0, price: 1 },
    { time: 1200, kind: "exit", side: "long", trade: 0, price: 2 },
  ];
  const drawn = [candle(0, 600), candle(1, 900), candle(2, 1200), candle(3, 1500)];

  it("keeps what was drawn before a backward seek", () => {
    const r = seekRedraw(drawn, markers, { type: "seeked", index: 2, time: 1200, history: [] });
    expect(r.candles.map((c) => c.index)).toEqual([0, 1]);
    expect(r.markers.map((m) => m.kind)).toEqual(["entry"]);
  });

  it("takes the server's history after a forward seek past what was drawn", () => {
    const history: ReplayStreamEvent[] = [
      candle(8, 3000),
      { type: "entry", trade: 4, time: 3100, side: "short", price: 3, size: 1, fee: 0 },
      candle(9, 3300),
    ];
    const r = seekRedraw(drawn, markers, { type: "seeked", index: 10, time: 3600, history });
    expect(r.candles.map((c) => c.index)).toEqual([8, 9]);
    expect(r.markers).toEqual([{ time: 3000, kind: "entry", side: "short", trade: 4, price: 3, reason: undefined }]);
  });

  it("keeps everything when resuming right after the last candle", () => {
    const r = seekRedraw(drawn, markers, { type: "seeked", index: 4, time: 1800, history: [candle(3, 1500)] });
    expect(r.candles).toEqual(drawn);
    expect(r.markers).toEqual(markers);
  });
});

describe("helpers", () => {
  it("parses only JSON objects with a type", () => {
    expect(parseServerMessage('{"type":"end"}')).toEqual({ type: "end" });
    expect(parseServerMessage("nope")).toBeNull();
    expect(parseServerMessage("[1]")).toBeNull();
  });

  it("clamps the speed", () => {
    expect(speedMessage(0)).toEqual({ action: "speed", candles_per_second: 1 });
    expect(speedMessage(5000)).toEqual({ action: "speed", candles_per_second: 1000 });
    expect(speedMessage("max")).toEqual({ action: "speed", candles_per_second: "max" });
  });

  it("builds a same-origin socket URL", () => {
    expect(replaySocketUrl(7, { protocol: "http:", host: "localhost:8000" })).toBe("ws://localhost:8000/ws/backtests/7/replay/");
    expect(replaySocketUrl(7, { protocol: "https:", host: "x.io" })).toBe("wss://x.io/ws/backtests/7/replay/");
  });

  it("words the close codes", () => {
    expect(closeReason(4401)).toContain("sign in");
    expect(closeReason(4404)).toBe("No such run.");
    expect(closeReason(4429, "too many open replay sockets (limit 4)")).toContain("limit 4");
    expect(closeReason(1006)).toBe("Connection closed (1006).");
    expect(closeReason(1000)).toBeNull();
  });
});
