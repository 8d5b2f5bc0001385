import { CandlestickSeries, createChart, createSeriesMarkers, LineSeries, type IChartApi, type ISeriesApi, type ISeriesMarkersPluginApi, type Time, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef, useState } from "react";
import { CHART_OPTIONS, COLORS } from "@/config/chart-theme";
import type { FillMarker, LineData, RunCandle } from "../model/chart-data";

declare global {
  interface Window {
    /** e2e build only: what the bot chart shows. */
    __botChart?: { candles: () => number; lastCandleTime: () => number | null; markers: () => number; lines: () => string[]; created: () => number };
  }
}

const LINE_COLORS = [COLORS.sma, COLORS.hma1h, COLORS.hma4h, "#9be38a", "#ff9f6e"];
let chartsCreated = 0;

interface Handles {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  markers: ISeriesMarkersPluginApi<Time>;
  lines: Map<string, ISeriesApi<"Line">>;
}

/** The price chart of a bot, created once per page; new candles and fills update it in place. */
export function BotChart({ candles, lines, markers }: { candles: RunCandle[]; lines: LineData[]; markers: FillMarker[] }) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const [handles, setHandles] = useState<Handles | null>(null);
  const shown = useRef<{ count: number; last: number | null; markers: number }>({ count: 0, last: null, markers: 0 });

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container, CHART_OPTIONS);
    chartsCreated += 1;
    const series = chart.addSeries(CandlestickSeries, {
      upColor: COLORS.candleUp,
      downColor: COLORS.candleDown,
      borderVisible: false,
      wickUpColor: COLORS.candleUp,
      wickDownColor: COLORS.candleDown,
    });
    const created: Handles = { chart, candles: series, markers: createSeriesMarkers(series, []), lines: new Map() };
    setHandles(created);
    if (import.meta.env.MODE === "e2e")
      window.__botChart = {
        candles: () => shown.current.count,
        lastCandleTime: () => shown.current.last,
        markers: () => shown.current.markers,
        lines: () => [...created.lines.keys()],
        created: () => chartsCreated,
      };
    return () => chart.remove();
  }, []);

  useEffect(() => {
    if (!handles) return;
    const data = candles.map((c) => ({ ...c, time: c.time as UTCTimestamp }));
    const last = shown.current.last;
    // New closed candles after the ones shown: appended; anything else (first load): set.
    if (last !== null && data.length && data[0]!.time <= last && shown.current.count > 0) {
      for (const c of data) if (c.time >= last) handles.candles.update(c);
    } else {
      handles.candles.setData(data);
      // The recent past, where the bot trades, rather than the whole window.
      if (data.length) handles.chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, data.length - 120), to: data.length + 5 });
    }
    shown.current.count = Math.max(shown.current.count, data.length);
    if (last === null) shown.current.count = data.length;
    shown.current.last = data.length ? data[data.length - 1]!.time : last;
    lines.forEach((line, i) => {
      let series = handles.lines.get(line.name);
      if (!series) {
        series = handles.chart.addSeries(LineSeries, { color: LINE_COLORS[i % LINE_COLORS.length], lineWidth: 2, priceLineVisible: false, lastValueVisible: false, title: line.name });
        handles.lines.set(line.name, series);
      }
      series.setData(line.points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
    });
  }, [handles, candles, lines]);

  useEffect(() => {
    if (!handles) return;
    handles.markers.setMarkers(markers.map((m) => ({ ...m, time: m.time as UTCTimestamp })));
    shown.current.markers = markers.length;
  }, [handles, markers]);

  return <div className="chart bot-chart" ref={containerRef} data-testid="bot-chart" />;
}
