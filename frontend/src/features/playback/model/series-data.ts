// API response -> the arrays the chart and panels read. Computed once per response; playback only
// slices or indexes them.
import type {
  CandlestickData,
  LineData,
  SeriesMarker,
  UTCTimestamp,
  WhitespaceData,
} from "lightweight-charts";
import type { Candle, EntrySide, StrategyEntry, StrategyRun } from "@/lib/api-types";

export type LinePoint = LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>;

/** The strategy's lines, keyed as the legend, the debug object and the tests name them. */
export const LINE_KEYS = ["sma", "hma1h", "hma4h", "baseSma"] as const;
export type LineKey = (typeof LINE_KEYS)[number];

/** One arrow on the chart: the entries of one side within one displayed candle. */
export interface EntryMarker {
  id: string;
  time: number;
  side: EntrySide;
  /** The entries behind the arrow (several 5m bars can fall in one displayed candle). */
  entries: StrategyEntry[];
}

export interface PlaybackSeriesData {
  times: number[];
  candles: CandlestickData<UTCTimestamp>[];
  lines: Record<LineKey, LinePoint[]>;
  /** The base-timeframe SMA is drawn (asked for, and the run has it). */
  baseSmaShown: boolean;
  markers: EntryMarker[];
  chartMarkers: SeriesMarker<UTCTimestamp>[];
  /** `markers[i].time`, for counting the markers up to the cursor. */
  markerTimes: number[];
  /** Entries in time order and their displayed-candle times, for the "entries so far" panel. */
  entries: StrategyEntry[];
  entryTimes: number[];
}

const asTime = (seconds: number) => seconds as UTCTimestamp;

export function toCandleData(candles: readonly Candle[]): CandlestickData<UTCTimestamp>[] {
  return candles.map(({ time, open, high, low, close }) => ({ time: asTime(time), open, high, low, close }));
}

/**
 * Line points aligned to the candles. A missing value (null during warm-up, or anything not finite)
 * becomes whitespace, so the line has a gap there instead of dropping to zero, and the series
 * still has one point per candle (the chart's bar indexes stay aligned).
 */
export function toLineData(times: readonly number[], values: readonly (number | null | undefined)[]): LinePoint[] {
  return times.map((time, i) => {
    const value = values[i];
    return typeof value === "number" && Number.isFinite(value)
      ? { time: asTime(time), value }
      : { time: asTime(time) };
  });
}

/**
 * One marker per (displayed candle, side), in time order. On a 1d chart a dozen 5m entries can land
 * in one candle; a stack of a dozen arrows would hide the candle, so they become one arrow.
 */
export function toEntryMarkers(entries: readonly StrategyEntry[]): EntryMarker[] {
  const sorted = sortEntries(entries);
  const markers: EntryMarker[] = [];
  const byKey = new Map<string, EntryMarker>();
  for (const entry of sorted) {
    const id = `${entry.side}-${entry.time}`;
    const existing = byKey.get(id);
    if (existing) {
      existing.entries.push(entry);
      continue;
    }
    const marker: EntryMarker = { id, time: entry.time, side: entry.side, entries: [entry] };
    byKey.set(id, marker);
    markers.push(marker);
  }
  return markers;
}

function sortEntries(entries: readonly StrategyEntry[]): StrategyEntry[] {
  return [...entries].sort((a, b) => a.time - b.time || a.bar_time - b.bar_time);
}

const LONG_COLOR = "#22c55e";
const SHORT_COLOR = "#f43f5e";

/**
 * Lightweight Charts markers: green arrows under the candle for longs, red above it for shorts.
 * No text on single entries: entries come in clusters and their labels would pile up over the
 * candles; the arrow's direction and colour say the side, the tooltip and legend say the rest.
 */
export function toChartMarkers(markers: readonly EntryMarker[]): SeriesMarker<UTCTimestamp>[] {
  return markers.map((marker) => {
    const long = marker.side === "long";
    const count = marker.entries.length;
    return {
      id: marker.id,
      time: asTime(marker.time),
      position: long ? "belowBar" : "aboveBar",
      shape: long ? "arrowUp" : "arrowDown",
      color: long ? LONG_COLOR : SHORT_COLOR,
      ...(count > 1 ? { text: `×${count}` } : {}),
    };
  });
}

/** Whether the run has the base-timeframe SMA the signals use (only above the base timeframe). */
export function hasBaseSma(run: StrategyRun): boolean {
  return Array.isArray(run.base_indicators?.sma);
}

/** `options.baseSma`: also draw the base-timeframe SMA (hma-sma's 5m SMA) as at each close. */
export function toPlaybackSeriesData(run: StrategyRun, options: { baseSma?: boolean } = {}): PlaybackSeriesData {
  const times = run.candles.map((c) => c.time);
  const markers = toEntryMarkers(run.entries);
  const entries = sortEntries(run.entries);
  return {
    times,
    candles: toCandleData(run.candles),
    lines: {
      // hma-sma's lines (optional in the schema: another strategy has others): absent = no points.
      sma: toLineData(times, run.sma ?? []),
      hma1h: toLineData(times, run.hma?.["1h"] ?? []),
      hma4h: toLineData(times, run.hma?.["4h"] ?? []),
      baseSma: toLineData(times, options.baseSma ? (run.base_indicators?.sma ?? []) : []),
    },
    baseSmaShown: Boolean(options.baseSma) && hasBaseSma(run),
    markers,
    chartMarkers: toChartMarkers(markers),
    markerTimes: markers.map((m) => m.time),
    entries,
    entryTimes: entries.map((e) => e.time),
  };
}

/** The value of a line point, or null for whitespace (or an index past the end). */
export function lineValueAt(points: readonly LinePoint[], index: number): number | null {
  const point = points[index];
  return point && "value" in point ? point.value : null;
}
