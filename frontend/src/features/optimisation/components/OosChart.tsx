import { createChart, createSeriesMarkers, LineSeries, type IChartApi, type ISeriesApi, type ISeriesMarkersPluginApi, type Time, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef, useState } from "react";
import { CHART_OPTIONS, COLORS } from "@/config/chart-theme";
import type { WalkForwardDetail } from "../api/types";
import { windowMarks } from "../model/study-view";

interface Handles {
  chart: IChartApi;
  line: ISeriesApi<"Line">;
  markers: ISeriesMarkersPluginApi<Time>;
  fit: () => void;
}

/** The stitched out-of-sample equity, each window's start marked W1, W2, ... (created once). */
export function OosChart({ walk }: { walk: WalkForwardDetail }) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const [handles, setHandles] = useState<Handles | null>(null);
  const [drawnPoints, setDrawnPoints] = useState(0); // for tests: what the series holds

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    // Thousands of points on a phone's width: bars may be far thinner than the default 0.5 px.
    const chart = createChart(container, { ...CHART_OPTIONS, timeScale: { ...CHART_OPTIONS.timeScale, minBarSpacing: 0.01 } });
    const line = chart.addSeries(LineSeries, { color: COLORS.hma1h, lineWidth: 2, priceLineVisible: false, title: "out-of-sample equity" });
    const markers = createSeriesMarkers(line, []);
    // The whole curve in view at any width (the container is sized after the first fit on a
    // phone), with a margin on both sides: W1 marks the first point, and its label would be cut.
    const fit = () => {
      const points = line.data().length;
      const margin = Math.max(2, Math.round(points * 0.04));
      if (points) chart.timeScale().setVisibleLogicalRange({ from: -margin, to: points - 1 + margin });
    };
    chart.timeScale().subscribeSizeChange(fit);
    setHandles({ chart, line, markers, fit });
    return () => {
      chart.timeScale().unsubscribeSizeChange(fit);
      chart.remove();
      setHandles(null);
    };
  }, []);

  useEffect(() => {
    if (!handles) return;
    handles.line.setData(walk.oos_equity.map((p) => ({ time: p.time as UTCTimestamp, value: p.value })));
    const first = walk.oos_equity[0]?.time ?? 0;
    handles.markers.setMarkers(
      windowMarks(walk)
        .filter((m) => m.time >= first)
        .map((m) => ({ time: m.time as UTCTimestamp, position: "aboveBar" as const, shape: "arrowDown" as const, color: COLORS.candleDown, text: m.label })),
    );
    handles.fit();
    setDrawnPoints(handles.line.data().length);
  }, [handles, walk]);

  return (
    <div className="chart bt-equity" data-testid="oos-chart" data-points={walk.oos_equity.length} data-windows={walk.windows.length} data-drawn={drawnPoints}>
      <div ref={containerRef} className="chart__canvas" />
    </div>
  );
}
