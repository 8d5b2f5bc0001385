import type { Timeframe } from "@/lib/api-types";

/**
 * Nominal length of one candle in seconds. Weeks and months vary (months: 28-31 days), so these two
 * are only used to size request windows, never to compute candle boundaries.
 */
export const TIMEFRAME_SECONDS: Record<Timeframe, number> = {
  "1m": 60,
  "5m": 5 * 60,
  "15m": 15 * 60,
  "30m": 30 * 60,
  "1h": 3600,
  "4h": 4 * 3600,
  "1d": 86_400,
  "1w": 7 * 86_400,
  "1M": 30 * 86_400,
};

/** Daily and longer candles are labelled by date only. */
export function isDailyOrLonger(timeframe: Timeframe): boolean {
  return TIMEFRAME_SECONDS[timeframe] >= 86_400;
}
