import { describe, expect, it } from "vitest";
import type { BotOrder } from "../api/types";
import { candleColumns, fillMarkers, strategyLines } from "./chart-data";

describe("chart data", () => {
  const candles = [0, 300, 600].map((time) => ({ time, open: 1, high: 1, low: 1, close: 1, volume: time }));
  it("turns every aligned numeric array into a line, null during the warm-up", () => {
    const lines = strategyLines({ candles, ema_fast: [null, 1, 2], hma: { "1h": [3, 4, 5] }, entries: [], symbol: "X", short: [1] }, candles);
    expect(lines.map((l) => l.name)).toEqual(["ema_fast", "hma 1h"]);
    expect(lines[0]!.values).toEqual([null, 1, 2]);
  });
  it("turns candle rows into columns, volume only when every row has one", () => {
    expect(candleColumns(candles).volume).toEqual([0, 300, 600]);
    expect(candleColumns(candles.map(({ volume: _, ...c }) => c)).volume).toBeUndefined();
  });
  it("marks filled orders only, buys below and sells above, described in the tooltip", () => {
    const orders = [
      { id: 1, side: "buy", leg: "entry", fill_candle: 600, filled_quantity: "0.1", average_price: "100" },
      { id: 2, side: "sell", leg: "exit", fill_candle: null, filled_quantity: "0" },
      { id: 3, side: "sell", leg: "close", fill_candle: 300, filled_quantity: "0.1", average_price: "101" },
    ] as unknown as BotOrder[];
    const { markers, fills } = fillMarkers(orders, 300);
    expect(markers.map((m) => [m.time, m.shape])).toEqual([
      [300, "arrowDown"],
      [600, "arrowUp"],
    ]);
    expect(fills.get(markers[0]!.id)).toEqual({ side: "sell", leg: "close", quantity: "0.1", price: "101" });
  });
});
