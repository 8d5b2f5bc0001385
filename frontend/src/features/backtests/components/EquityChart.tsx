import { AreaSeries, createChart, LineSeries, LineStyle, type IChartApi, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef, useState } from "react";
import { CHART_OPTIONS, COLORS } from "@/config/chart-theme";
import type { EquityPoint } from "../api/types";
import { drawdownSeries } from "../model/drawdown";

/** Read by the e2e tests: how many points each series holds. */
export interface EquityChartDebug {
  equityPoints: () => number;
  drawdownPoints: () => number;
  buyAndHoldPoints: () => number;
}

declare global {
  interface Window {
    __equityChart?: EquityChartDebug;
  }
}

interface Handles {
  chart: IChartApi;
  equity: ISeriesApi<"Line">;
  drawdown: ISeriesApi<"Area">;
  buyAndHold: ISeriesApi<"Line">;
}

const toSeries = (points: EquityPoint[]) => points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value }));

/** Equity and buy-and-hold (top pane) and drawdown in percent (bottom pane). Created once. */
export function EquityChart({ equity, buyAndHold }: { equity: EquityPoint[]; buyAndHold?: EquityPoint[] }) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const [handles, setHandles] = useState<Handles | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container, { ...CHART_OPTIONS, timeScale: { ...CHART_OPTIONS.timeScale, rightOffset: 2 } });
    const equitySeries = chart.addSeries(LineSeries, { color: COLORS.hma1h, lineWidth: 2, priceLineVisible: false, title: "equity" });
    const buyAndHoldSeries = chart.addSeries(LineSeries, {
      color: "rgba(170, 180, 200, 0.75)",
      lineWidth: 1,
      lineStyle: LineStyle.Dashed,
      priceLineVisible: false,
      title: "buy & hold",
    });
    const drawdown = chart.addSeries(
      AreaSeries,
      {
        lineColor: COLORS.candleDown,
        topColor: "rgba(239, 83, 80, 0.05)",
        bottomColor: "rgba(239, 83, 80, 0.4)",
        invertFilledArea: true,
        lineWidth: 1,
        priceLineVisible: false,
        title: "drawdown %",
        priceFormat: { type: "custom", formatter: (v: number) => `${v.toFixed(2)}%` },
      },
      1,
    );
    chart.panes()[1]?.setHeight(110);
    const debug: EquityChartDebug = { equityPoints: () => equitySeries.data().length, drawdownPoints: () => drawdown.data().length, buyAndHoldPoints: () => buyAndHoldSeries.data().length };
    if (import.meta.env.MODE === "e2e") window.__equityChart = debug; // test builds only
    setHandles({ chart, equity: equitySeries, drawdown, buyAndHold: buyAndHoldSeries });
    return () => {
      if (import.meta.env.MODE === "e2e" && window.__equityChart === debug) delete window.__equityChart;
      chart.remove();
      setHandles(null);
    };
  }, []);

  useEffect(() => {
    if (!handles) return;
    const equityData = toSeries(equity);
    const dd = drawdownSeries(equity).map((p) => ({ time: p.time as UTCTimestamp, value: p.value * 100 }));
    handles.equity.setData(equityData);
    handles.drawdown.setData(dd);
    handles.chart.timeScale().fitContent();
  }, [handles, equity]);

  useEffect(() => {
    handles?.buyAndHold.setData(toSeries(buyAndHold ?? []));
  }, [handles, buyAndHold]);

  return (
    <div className="chart bt-equity" data-testid="equity-chart" data-points={equity.length}>
      <div ref={containerRef} className="chart__canvas" />
    </div>
  );
}
