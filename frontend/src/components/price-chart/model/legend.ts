// What the legend says at the crosshair: OHLC, volume and the change from the previous close.
import type { CandleColumns } from "./columns";

export interface LegendValues {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  /** Close against the previous candle's close, in percent; the first candle against its open. */
  changePercent: number;
}

export function legendAt(c: CandleColumns, index: number): LegendValues | null {
  if (index < 0 || index >= c.time.length) return null;
  const close = c.close[index]!;
  const reference = index > 0 ? c.close[index - 1]! : c.open[index]!;
  return {
    time: c.time[index]!,
    open: c.open[index]!,
    high: c.high[index]!,
    low: c.low[index]!,
    close,
    volume: c.volume?.[index] ?? null,
    changePercent: reference === 0 ? 0 : ((close - reference) / reference) * 100,
  };
}

/** "+1.23%" / "-0.40%" (always signed, two decimals). */
export function formatChange(percent: number): string {
  const rounded = Math.abs(percent) < 0.005 ? 0 : percent;
  return `${rounded >= 0 ? "+" : "-"}${Math.abs(rounded).toFixed(2)}%`;
}
