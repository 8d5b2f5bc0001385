import { createChart, HistogramSeries, LineSeries, type IChartApi, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef, useState } from "react";
import { CHART_OPTIONS, COLORS } from "@/config/chart-theme";

type Kind = "line" | "bars";

/** A small chart of one series (equity, drawdown, PnL by day), created once, data set in place. */
export function SeriesChart({ points, kind = "line", testId, height = 220 }: { points: { time: number; value: number }[]; kind?: Kind; testId: string; height?: number }) {
  const ref = useRef<HTMLDivElement | null>(null);
  const [series, setSeries] = useState<ISeriesApi<"Line"> | ISeriesApi<"Histogram"> | null>(null);
  const chartRef = useRef<IChartApi | null>(null);

  useEffect(() => {
    if (!ref.current) return;
    const chart = createChart(ref.current, { ...CHART_OPTIONS, height });
    chartRef.current = chart;
    setSeries(
      kind === "bars"
        ? chart.addSeries(HistogramSeries, { color: COLORS.candleUp, priceLineVisible: false })
        : chart.addSeries(LineSeries, { color: COLORS.hma1h, lineWidth: 2, priceLineVisible: false }),
    );
    return () => chart.remove();
  }, [kind, height]);

  useEffect(() => {
    if (!series) return;
    const data = points.map((p) =>
      kind === "bars"
        ? { time: p.time as UTCTimestamp, value: p.value, color: p.value >= 0 ? COLORS.candleUp : COLORS.candleDown }
        : { time: p.time as UTCTimestamp, value: p.value },
    );
    series.setData(data);
    chartRef.current?.timeScale().fitContent();
  }, [series, points, kind]);

  return <div ref={ref} className="bot-series-chart" style={{ height }} data-testid={testId} data-points={points.length} />;
}
