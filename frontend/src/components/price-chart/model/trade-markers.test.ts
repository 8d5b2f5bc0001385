import { describe, expect, it } from "vitest";
import { markerId, tradeMarkers, type MarkedTrade } from "./trade-markers";

const times = [0, 300, 600, 900, 1200];
const trade = (number: number, side: "long" | "short", entry: number, exit: number): MarkedTrade => ({
  number,
  side,
  entry_time: entry,
  exit_time: exit,
  entry_price: 100,
  exit_price: 101,
  pnl: 1,
  return_fraction: 0.01,
  exit_reason: "signal",
});

describe("tradeMarkers", () => {
  it("draws each trade's entry and exit without text, sorted by time", () => {
    const { markers, byId } = tradeMarkers([trade(0, "long", 300, 900), trade(1, "short", 600, 1200)], times);
    expect(markers.map((m) => [m.time, m.shape])).toEqual([
      [300, "arrowUp"],
      [600, "arrowDown"],
      [900, "circle"],
      [1200, "circle"],
    ]);
    expect(markers.every((m) => !("text" in m) || !m.text)).toBe(true);
    expect(byId.get(markerId(1, "entry"))).toMatchObject({ kind: "entry", trade: { side: "short" } });
    expect(byId.get(markerId(0, "exit"))!.kind).toBe("exit");
  });

  it("puts a marker on the candle containing its time and leaves out what is before the candles", () => {
    const { markers } = tradeMarkers([trade(0, "long", -300, 650)], times);
    expect(markers.map((m) => m.time)).toEqual([600]);
  });

  it("is empty without candles", () => {
    expect(tradeMarkers([trade(0, "long", 0, 300)], []).markers).toEqual([]);
  });
});
