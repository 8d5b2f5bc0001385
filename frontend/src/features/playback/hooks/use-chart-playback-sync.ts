import { useLayoutEffect, useRef } from "react";
import { CANDLES_VISIBLE_ON_LOAD, CHART_OPTIONS } from "@/config/chart-theme";
import { planChartSync, type RenderedState } from "../model/chart-sync";
import { countAtOrBefore } from "../model/cursor";
import { LINE_KEYS, type PlaybackSeriesData } from "../model/series-data";
import type { ChartHandles } from "./use-chart";

// Marked one frame after the first drawing of new data (the e2e performance test reads it).
export const CHART_RENDERED_MARK = "chart:rendered";

const RIGHT_OFFSET = CHART_OPTIONS.timeScale?.rightOffset ?? 0;

/**
 * Shows the candles, lines and markers up to `cursor`. New data or a jump: setData once.
 * Playback moving forward: series.update per new candle, so the chart never rebuilds per frame.
 * `data` null means the cursor does not belong to the data yet (a load is in flight): wait.
 */
export function useChartPlaybackSync(handles: ChartHandles | null, data: PlaybackSeriesData | null, cursor: number) {
  const renderedRef = useRef<(RenderedState & { handles: ChartHandles; markerCount: number }) | null>(null);

  useLayoutEffect(() => {
    if (!handles || !data) return;
    const rendered = renderedRef.current?.handles === handles ? renderedRef.current : null;
    const plan = planChartSync(rendered, data, cursor);
    if (plan.kind === "none") return;

    if (plan.kind === "reset") {
      const end = cursor + 1;
      handles.candles.setData(data.candles.slice(0, end));
      for (const key of LINE_KEYS) handles.lines[key].setData(data.lines[key].slice(0, end));
      if (plan.reason === "load") {
        handles.chart.timeScale().setVisibleLogicalRange({ from: end - CANDLES_VISIBLE_ON_LOAD, to: end + RIGHT_OFFSET });
        // The chart draws on its next animation frame; a frame requested now runs right after it.
        requestAnimationFrame(() => performance.mark(CHART_RENDERED_MARK));
      } else {
        handles.chart.timeScale().scrollToRealTime();
      }
    } else {
      for (let i = plan.from; i <= plan.to; i++) {
        const candle = data.candles[i];
        if (candle) handles.candles.update(candle);
        for (const key of LINE_KEYS) {
          const point = data.lines[key][i];
          if (point) handles.lines[key].update(point);
        }
      }
    }

    const cursorTime = data.times[cursor];
    const markerCount = cursorTime === undefined ? 0 : countAtOrBefore(data.markerTimes, cursorTime);
    if (plan.kind === "reset" || markerCount !== rendered?.markerCount) {
      handles.markers.setMarkers(data.chartMarkers.slice(0, markerCount));
    }
    renderedRef.current = { dataId: data, cursor, handles, markerCount };
  }, [handles, data, cursor]);
}
