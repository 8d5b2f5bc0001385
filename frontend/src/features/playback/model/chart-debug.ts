// A tiny read-only view of what the chart draws, for the end-to-end tests (window.__chart).
import type { IChartApi, ISeriesApi, ISeriesMarkersPluginApi, SeriesType, Time } from "lightweight-charts";
import type { EntrySide } from "@/lib/api-types";

export interface ChartDebug {
  /** Candles on the chart (those up to the cursor). */
  visibleCandles(): number;
  markers(): { time: number; side: EntrySide }[];
  /** Open time of the newest candle on the chart, -1 when none. */
  lastCandleTime(): number;
  /** Value of each line at its newest point (lines without a value there are left out). */
  lines(): Record<string, number>;
  /** x of a candle's centre in px from the chart's left edge (null when off screen). */
  xOf(time: number): number | null;
}

declare global {
  interface Window {
    __chart?: ChartDebug;
  }
}

export function createChartDebug(parts: {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  lines: Record<string, ISeriesApi<SeriesType>>;
  markers: ISeriesMarkersPluginApi<Time>;
}): ChartDebug {
  return {
    visibleCandles: () => parts.candles.data().length,
    // Longs are drawn as up arrows, shorts as down arrows (series-data.ts: toChartMarkers).
    markers: () =>
      parts.markers.markers().map((m) => ({ time: m.time as number, side: m.shape === "arrowUp" ? "long" : "short" })),
    lastCandleTime: () => {
      const data = parts.candles.data();
      return (data[data.length - 1]?.time as number | undefined) ?? -1;
    },
    lines: () => {
      const values: Record<string, number> = {};
      for (const [key, series] of Object.entries(parts.lines)) {
        const data = series.data();
        const last = data[data.length - 1];
        if (last && "value" in last) values[key] = last.value;
      }
      return values;
    },
    xOf: (time) => parts.chart.timeScale().timeToCoordinate(time as Time),
  };
}
