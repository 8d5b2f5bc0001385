import { Banner, CommandLine } from "@/components/Banner";
import type { StrategyRun } from "@/lib/api-types";
import { formatUtc } from "@/lib/time";

// The strategy needs about 35.5 days of 5m history before the first shown candle (HMA(200) on 4h,
// docs/strategies/hma_sma_strat.md); suggest fetching from a little further back.
const SUGGESTED_HISTORY_DAYS = 40;

/** Shown when the stored data starts too late for the indicators to be defined from the first candle. */
export function WarmupBanner({ run }: { run: StrategyRun }) {
  const first = run.candles[0]?.time;
  const since = first === undefined ? "<YYYY-MM-DD>" : formatUtc(first - SUGGESTED_HISTORY_DAYS * 86_400, { dateOnly: true });
  return (
    <Banner tone="warning" title="Indicators are empty at the start of this window" testId="warmup-banner">
      Not enough history is stored before {first === undefined ? "the first candle" : formatUtc(first)} to compute SMA(
      {run.params.sma_period}) and HMA({run.params.hma_period}) on 1h/4h, so their lines and the setups begin later.
      Fetch earlier 5m candles, or choose a later start:
      <CommandLine>{`python manage.py fetch_ohlcv ${run.symbol} 5m --exchange ${run.exchange} --since ${since}`}</CommandLine>
    </Banner>
  );
}
