// A tiny read-only view of a price chart for the end-to-end tests (e2e build only).
import { PriceScaleMode, type UTCTimestamp } from "lightweight-charts";
import type { PriceChartHandles } from "./PriceChart";

export type PriceChartDebugName = "__runChart" | "__botChart";

export interface PriceChartDebug {
  candles(): number;
  /** Open time of the newest candle, null when none. */
  lastCandleTime(): number | null;
  markers(): number;
  markerTimes(): number[];
  lines(): string[];
  volumeBars(): number;
  /** Charts created on this page so far (a live page must not rebuild its chart). */
  created(): number;
  /** Times (epoch s) of the first and last bars in view, null before data. */
  visibleTimeRange(): { from: number; to: number } | null;
  logScale(): boolean;
  /** Where a (time, price) is drawn, in px from the chart's top-left corner (null off screen). */
  pointOf(time: number, price: number): { x: number; y: number } | null;
}

declare global {
  interface Window {
    __runChart?: PriceChartDebug;
    __botChart?: PriceChartDebug;
  }
}

export function createPriceChartDebug(h: PriceChartHandles, created: () => number): PriceChartDebug {
  return {
    candles: () => h.candles.data().length,
    lastCandleTime: () => {
      const data = h.candles.data();
      return (data[data.length - 1]?.time as number | undefined) ?? null;
    },
    markers: () => h.markers.markers().length,
    markerTimes: () => h.markers.markers().map((m) => m.time as number),
    lines: () => [...h.lines.keys()],
    volumeBars: () => h.volume.data().length,
    created,
    visibleTimeRange: () => {
      const range = h.chart.timeScale().getVisibleRange();
      return range ? { from: range.from as number, to: range.to as number } : null;
    },
    logScale: () => h.chart.priceScale("right").options().mode === PriceScaleMode.Logarithmic,
    pointOf: (time, price) => {
      const x = h.chart.timeScale().timeToCoordinate(time as UTCTimestamp);
      const y = h.candles.priceToCoordinate(price);
      return x === null || y === null ? null : { x, y };
    },
  };
}
