import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  LineSeries,
  LineStyle,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
} from "lightweight-charts";
import { useEffect, useState, type RefObject } from "react";
import { CHART_OPTIONS, COLORS } from "@/config/chart-theme";
import { createChartDebug } from "../model/chart-debug";
import type { LineKey } from "../model/series-data";

export interface ChartHandles {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  lines: Record<LineKey, ISeriesApi<"Line">>;
  markers: ISeriesMarkersPluginApi<Time>;
}

const LINE_COLORS: Record<LineKey, string> = { sma: COLORS.sma, hma1h: COLORS.hma1h, hma4h: COLORS.hma4h, baseSma: COLORS.baseSma };

/**
 * Creates the chart and its series once for the container's lifetime and removes them on unmount.
 * Data is not a dependency: useChartPlaybackSync feeds it.
 */
export function useChart(containerRef: RefObject<HTMLDivElement | null>): ChartHandles | null {
  const [handles, setHandles] = useState<ChartHandles | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container, CHART_OPTIONS);
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: COLORS.candleUp,
      downColor: COLORS.candleDown,
      borderVisible: false,
      wickUpColor: COLORS.candleUp,
      wickDownColor: COLORS.candleDown,
    });
    const addLine = (key: LineKey) =>
      chart.addSeries(LineSeries, {
        color: LINE_COLORS[key],
        lineWidth: 2,
        // The base SMA dashed: the same SMA period as the solid one, on another timeframe.
        lineStyle: key === "baseSma" ? LineStyle.Dashed : LineStyle.Solid,
        priceLineVisible: false,
        lastValueVisible: false,
        crosshairMarkerRadius: 3,
      });
    const lines = { sma: addLine("sma"), hma1h: addLine("hma1h"), hma4h: addLine("hma4h"), baseSma: addLine("baseSma") };
    const markers = createSeriesMarkers(candles, []);
    const created: ChartHandles = { chart, candles, lines, markers };
    const debug = createChartDebug({ chart, candles, lines, markers });
    // The e2e tests' view of the chart: test builds only (vite --mode e2e), never shipped.
    if (import.meta.env.MODE === "e2e") window.__chart = debug;
    setHandles(created);
    return () => {
      if (import.meta.env.MODE === "e2e" && window.__chart === debug) delete window.__chart;
      chart.remove();
      setHandles(null);
    };
  }, [containerRef]);

  return handles;
}
