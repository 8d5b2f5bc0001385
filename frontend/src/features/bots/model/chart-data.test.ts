import { describe, expect, it } from "vitest";
import type { BotOrder } from "../api/types";
import { fillMarkers, strategyLines } from "./chart-data";

describe("chart data", () => {
  const candles = [0, 300, 600].map((time) => ({ time, open: 1, high: 1, low: 1, close: 1 }));
  it("turns every aligned numeric array into a line, skipping the warm-up", () => {
    const lines = strategyLines({ candles, ema_fast: [null, 1, 2], hma: { "1h": [3, 4, 5] }, entries: [], symbol: "X", short: [1] }, candles);
    expect(lines.map((l) => l.name)).toEqual(["ema_fast", "hma 1h"]);
    expect(lines[0]!.points).toEqual([
      { time: 300, value: 1 },
      { time: 600, value: 2 },
    ]);
  });
  it("marks filled orders only, buys below and sells above", () => {
    const orders = [
      { side: "buy", leg: "entry", fill_candle: 600, filled_quantity: "0.1" },
      { side: "sell", leg: "exit", fill_candle: null, filled_quantity: "0" },
      { side: "sell", leg: "close", fill_candle: 300, filled_quantity: "0.1" },
    ] as unknown as BotOrder[];
    expect(fillMarkers(orders, 300).map((m) => [m.time, m.shape, m.text])).toEqual([
      [300, "arrowDown", "sell close"],
      [600, "arrowUp", "buy entry"],
    ]);
  });
});
