import { TIMEFRAMES, type MarketSymbol, type Timeframe, type TimeframeCoverage } from "@/lib/api-types";

export function findSymbol(symbols: readonly MarketSymbol[] | undefined, name: string): MarketSymbol | undefined {
  return symbols?.find((s) => s.name === name);
}

export function coverageOf(symbol: MarketSymbol | undefined, timeframe: Timeframe): TimeframeCoverage | undefined {
  return symbol?.timeframes.find((t) => t.timeframe === timeframe && t.count > 0);
}

/** Timeframes with stored candles, in TIMEFRAMES order. */
export function timeframesWithData(symbol: MarketSymbol | undefined): Timeframe[] {
  return TIMEFRAMES.filter((tf) => coverageOf(symbol, tf) !== undefined);
}

/**
 * The timeframe to show for a symbol: the wanted one when it has data, else the stored one
 * closest to it, else the wanted one (the API then explains what to fetch).
 */
export function pickTimeframe(symbol: MarketSymbol | undefined, wanted: Timeframe): Timeframe {
  const available = timeframesWithData(symbol);
  if (available.length === 0 || available.includes(wanted)) return wanted;
  const wantedRank = TIMEFRAMES.indexOf(wanted);
  const distance = (tf: Timeframe) => Math.abs(TIMEFRAMES.indexOf(tf) - wantedRank);
  return available.reduce((best, tf) => (distance(tf) < distance(best) ? tf : best));
}
