import { createChart, LineSeries, type IChartApi, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef, useState } from "react";
import { CHART_OPTIONS } from "@/config/chart-theme";

export interface ComparedCurve {
  runId: number;
  color: string;
  /** Percent from the run's starting capital (model/compare.ts normaliseEquity). */
  points: { time: number; value: number }[];
}

/** Read by the e2e tests: the runs drawn and each one's points. */
export interface CompareChartDebug {
  runs: () => number[];
  points: () => number[];
}

declare global {
  interface Window {
    __compareChart?: CompareChartDebug;
  }
}

const percent = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(2)}%`;

/** The compared runs' equity curves overlaid on one percent scale. The chart is created once;
 * a line per run is (re)made when the curves change. */
export function CompareChart({ curves }: { curves: ComparedCurve[] }) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const [chart, setChart] = useState<IChartApi | null>(null);
  // On unmount this effect's cleanup runs before the lines' one: the lines then go with the chart.
  const removedRef = useRef(false);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const created = createChart(container, { ...CHART_OPTIONS, timeScale: { ...CHART_OPTIONS.timeScale, rightOffset: 2 } });
    removedRef.current = false;
    setChart(created);
    return () => {
      removedRef.current = true;
      created.remove();
      setChart(null);
    };
  }, []);

  useEffect(() => {
    if (!chart) return;
    const lines: { runId: number; series: ISeriesApi<"Line"> }[] = curves.map((curve) => {
      const series = chart.addSeries(LineSeries, {
        color: curve.color,
        lineWidth: 2,
        priceLineVisible: false,
        title: `#${curve.runId}`,
        priceFormat: { type: "custom", formatter: percent },
      });
      series.setData(curve.points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
      return { runId: curve.runId, series };
    });
    chart.timeScale().fitContent();
    const debug: CompareChartDebug = { runs: () => lines.map((l) => l.runId), points: () => lines.map((l) => l.series.data().length) };
    if (import.meta.env.MODE === "e2e") window.__compareChart = debug; // test builds only
    return () => {
      if (import.meta.env.MODE === "e2e" && window.__compareChart === debug) delete window.__compareChart;
      if (!removedRef.current) for (const line of lines) chart.removeSeries(line.series);
    };
  }, [chart, curves]);

  return (
    <div className="chart bt-compare__chart" data-testid="compare-chart" data-curves={curves.length}>
      <div ref={containerRef} className="chart__canvas" />
    </div>
  );
}
