import { describe, expect, it } from "vitest";
import {
  closeReason,
  initialReplayState,
  parseServerMessage,
  replayReducer,
  replaySocketUrl,
  speedMessage,
  type ReplayServerMessage,
  type ReplayState,
} from "./replay";

const feed = (state: ReplayState, ...messages: ReplayServerMessage[]) =>
  messages.reduce((s, message) => replayReducer(s, { kind: "message", message }), state);

const candle = (index: number, time: number, equity: number | null = 10_000) =>
  ({ type: "candle", index, time, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, equity }) as const;

describe("replayReducer", () => {
  it("tracks open, start and candles with the live equity", () => {
    let s = replayReducer(initialReplayState, { kind: "open" });
    expect(s.connection).toBe("open");
    s = feed(s, { type: "start", run: 3, total: 100, speed: 10 }, candle(0, 600), candle(1, 900, 10_050));
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
    expect(s).toMatchObject({ paused: true, index: 40 });
    s = feed(s, { type: "speed", speed: "max" }, { type: "resumed", index: 40 });
    expect(s).toMatchObject({ paused: false, speed: "max" });
    s = feed(s, { type: "end" });
    expect(s.ended).toBe(true);
    s = feed(s, { type: "error", detail: "bad" });
    expect(s.error).toBe("bad");
  });

  it("drops markers at or after a backward seek", () => {
    let s = feed(
      initialReplayState,
      candle(0, 600),
      { type: "entry", trade: 0, time: 600, side: "short", price: 1, size: 1, fee: 0 },
      candle(1, 900),
      { type: "exit", trade: 0, time: 900, side: "short", price: 1, size: 1, fee: 0 },
      { type: "end" },
    );
    s = feed(s, { type: "seeked", index: 1, time: 900 });
    expect(s).toMatchObject({ index: 1, ended: false, lastTime: null });
    expect(s.markers.map((m) => m.kind)).toEqual(["entry"]);
  });

  it("records the close code", () => {
    const s = replayReducer(initialReplayState, { kind: "close", code: 4403 });
    expect(s).toMatchObject({ connection: "closed", closeCode: 4403 });
    expect(closeReason(4403)).toContain("sign in");
    expect(closeReason(1000)).toBeNull();
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
});
