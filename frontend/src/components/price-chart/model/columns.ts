// The shared price chart's input: candles as columns (what the run chart endpoint sends; no
// object per bar on the wire) and lines aligned to them. Converted once per data set into the
// objects Lightweight Charts takes.
import type { CandlestickData, HistogramData, LineData, UTCTimestamp, WhitespaceData } from "lightweight-charts";
import { COLORS } from "@/config/chart-theme";

export interface CandleColumns {
  /** Open times, epoch seconds UTC, ascending. */
  time: readonly number[];
  open: readonly number[];
  high: readonly number[];
  low: readonly number[];
  close: readonly number[];
  /** Absent when the source has none: no volume pane then. */
  volume?: readonly number[];
}

/** A line aligned to the candles: values[i] belongs to candle i; null (warm-up) draws a gap. */
export interface PriceLine {
  name: string;
  values: readonly (number | null)[];
}

const VOLUME_UP = "rgba(38, 166, 154, 0.45)";
const VOLUME_DOWN = "rgba(239, 83, 80, 0.45)";

const asTime = (seconds: number) => seconds as UTCTimestamp;

export function candleData(c: CandleColumns): CandlestickData<UTCTimestamp>[] {
  const out = new Array<CandlestickData<UTCTimestamp>>(c.time.length);
  for (let i = 0; i < c.time.length; i++) out[i] = { time: asTime(c.time[i]!), open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]! };
  return out;
}

/** Volume bars coloured as their candle (up: close >= open). Empty without volume. */
export function volumeData(c: CandleColumns): HistogramData<UTCTimestamp>[] {
  const volume = c.volume;
  if (!volume) return [];
  const out = new Array<HistogramData<UTCTimestamp>>(c.time.length);
  for (let i = 0; i < c.time.length; i++) {
    out[i] = { time: asTime(c.time[i]!), value: volume[i] ?? 0, color: c.close[i]! >= c.open[i]! ? VOLUME_UP : VOLUME_DOWN };
  }
  return out;
}

/** One point per candle; a missing value becomes whitespace (a gap, bar indexes kept aligned). */
export function lineData(times: readonly number[], values: readonly (number | null)[]): (LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>)[] {
  const out = new Array<LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>>(times.length);
  for (let i = 0; i < times.length; i++) {
    const value = values[i];
    out[i] = typeof value === "number" && Number.isFinite(value) ? { time: asTime(times[i]!), value } : { time: asTime(times[i]!) };
  }
  return out;
}

/** Index of the last candle opening at or before `time` (-1 when before the first). */
export function indexAtOrBefore(times: readonly number[], time: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

const NAMED_COLORS: Record<string, string> = { sma: COLORS.sma, "hma 1h": COLORS.hma1h, "hma 4h": COLORS.hma4h };
const PALETTE = ["#f5c542", "#4fa3ff", "#c77dff", "#9be38a", "#ff9f6e", "#5ee0d8"];

/** The playback page's colours for hma-sma's lines, then the palette in order. */
export function lineColor(name: string, index: number): string {
  return NAMED_COLORS[name] ?? PALETTE[index % PALETTE.length]!;
}
