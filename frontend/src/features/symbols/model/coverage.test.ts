import { describe, expect, it } from "vitest";
import type { MarketSymbol, Timeframe } from "@/lib/api-types";
import { pickTimeframe, timeframesWithData } from "./coverage";

function symbol(timeframes: Timeframe[]): MarketSymbol {
  return {
    exchange: "binance",
    name: "BTCUSDT",
    base: "BTC",
    quote: "USDT",
    market_symbol: "BTC/USDT",
    simulated: false,
    tracked_timeframes: [],
    timeframes: timeframes.map((timeframe) => ({ timeframe, count: 10, first: 0, last: 1 })),
  };
}

describe("coverage", () => {
  it("lists stored timeframes in order", () => {
    expect(timeframesWithData(symbol(["1d", "5m", "1h"]))).toEqual(["5m", "1h", "1d"]);
  });

  it("keeps the wanted timeframe when stored, else takes the closest stored one", () => {
    expect(pickTimeframe(symbol(["5m", "1h"]), "1h")).toBe("1h");
    expect(pickTimeframe(symbol(["5m", "1d"]), "15m")).toBe("5m");
    expect(pickTimeframe(symbol(["1h"]), "1w")).toBe("1h");
    expect(pickTimeframe(undefined, "4h")).toBe("4h");
  });
});
