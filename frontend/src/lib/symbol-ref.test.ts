import { describe, expect, it } from "vitest";
import type { MarketSymbol } from "@/lib/api-types";
import { findSymbolRef, parseSymbolKey, symbolKey, symbolLabel } from "./symbol-ref";

const stored = (exchange: string, simulated = false): MarketSymbol => ({
  exchange,
  name: "BTCUSDT",
  base: "BTC",
  quote: "USDT",
  market_symbol: "BTC/USDT",
  simulated,
  tracked_timeframes: [],
  timeframes: [],
});

describe("symbol refs", () => {
  it("round-trips a key, exchange first", () => {
    expect(symbolKey({ exchange: "binance", name: "BTCUSDT" })).toBe("binance:BTCUSDT");
    expect(parseSymbolKey("simulated:BTCUSDT")).toEqual({ exchange: "simulated", name: "BTCUSDT" });
    expect(parseSymbolKey("BTCUSDT")).toEqual({ name: "BTCUSDT" });
    expect(symbolKey(parseSymbolKey("BTCUSDT"))).toBe("BTCUSDT");
  });

  it("tells two stored BTCUSDT apart by exchange", () => {
    const symbols = [stored("binance"), stored("simulated", true)];
    expect(findSymbolRef(symbols, { name: "BTCUSDT", exchange: "simulated" })).toBe(symbols[1]);
    expect(findSymbolRef(symbols, { name: "BTCUSDT" })).toBe(symbols[0]);
    expect(findSymbolRef(symbols, { name: "BTCUSDT", exchange: "kraken" })).toBeUndefined();
    expect(symbolLabel(symbols[0]!)).toBe("BTCUSDT · binance");
    expect(symbolLabel(symbols[1]!)).toBe("BTCUSDT · simulated");
  });
});
