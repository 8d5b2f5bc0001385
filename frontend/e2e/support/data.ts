// Real data the scenarios are built from, read through the same API the page uses, so the tests
// pick their windows (an entry, a setup turning on) from whatever candles are stored.
import type { MarketSymbol, StrategyRun, Timeframe } from "../../src/lib/api-types";
import { TIMEFRAMES } from "../../src/lib/api-types";
import { apiGet } from "./browser";

export async function symbols(): Promise<MarketSymbol[]> {
  return apiGet<MarketSymbol[]>("/api/datafeeds/symbols/");
}

/** BTCUSDT when stored (the scenarios were written for it), else the first symbol with 1h candles. */
export async function primarySymbol(): Promise<MarketSymbol> {
  const all = await symbols();
  const withHourly = all.filter((s) => s.timeframes.some((t) => t.timeframe === "1h" && t.count > 0));
  const chosen = withHourly.find((s) => s.name === "BTCUSDT") ?? withHourly[0];
  if (!chosen) throw new Error("No symbol with 1h candles is stored: the e2e tests need real or demo data.");
  return chosen;
}

export function storedTimeframes(symbol: MarketSymbol): Timeframe[] {
  return TIMEFRAMES.filter((tf) => symbol.timeframes.some((t) => t.timeframe === tf && t.count > 0));
}

export async function strategyRun(params: Record<string, string | number>): Promise<StrategyRun> {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return apiGet<StrategyRun>(`/api/strategies/hma-sma/run/?${search}`);
}
