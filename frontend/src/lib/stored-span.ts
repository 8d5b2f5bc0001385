// The span a stored symbol's candles cover, as the span pickers show it by default. Pure.
import { TIMEFRAME_SECONDS } from "@/config/timeframes";
import { isTimeframe, type MarketSymbol } from "./api-types";
import { findSymbolRef, parseSymbolKey } from "./symbol-ref";
import { formatUtc } from "./time";

/** First open to last close of a symbol's stored `timeframe` candles, in 24-hour UTC text
 * ("2026-10-08 09:40"; the date alone at midnight), with their count; null when none is stored. */
export function storedSpan(symbol: MarketSymbol | undefined, timeframe: string, timeframeSeconds: number): { start: string; end: string; count: number } | null {
  const coverage = symbol?.timeframes.find((t) => t.timeframe === timeframe && t.count > 0);
  if (!coverage) return null;
  const text = (seconds: number) => formatUtc(seconds, { suffix: false }).replace(/ 00:00$/, "");
  return { start: text(coverage.first), end: text(coverage.last + timeframeSeconds), count: coverage.count };
}

/** The stored span of the symbol an "exchange:name" key names, for a strategy's base timeframe. */
export function storedSpanOf(symbols: readonly MarketSymbol[], key: string, timeframe: string) {
  const seconds = isTimeframe(timeframe) ? TIMEFRAME_SECONDS[timeframe] : 0;
  return storedSpan(findSymbolRef(symbols, parseSymbolKey(key)), timeframe, seconds);
}
