import { useLayoutEffect, useRef } from "react";
import { CANDLE_SLOTS_ON_LOAD, CHART_OPTIONS, MIN_CANDLE_SLOTS_ON_LOAD } from "@/config/chart-theme";
import { planChartSync, type ChartSyncPlan, type RenderedState } from "../model/chart-sync";
import { countAtOrBefore } from "../model/cursor";
import { LINE_KEYS, type PlaybackSeriesData } from "../model/series-data";
import type { ChartHandles } from "./use-chart";

// Marked one frame after the first drawing of new data (the e2e performance test reads it).
export const CHART_RENDERED_MARK = "chart:rendered";

const RIGHT_OFFSET = CHART_OPTIONS.timeScale?.rightOffset ?? 0;

interface Rendered extends RenderedState {
  handles: ChartHandles;
  markerRange: [number, number];
}

/**
 * Shows the candles, lines and markers up to `cursor`. New data or a jump: setData once.
 * Playback moving forward: series.update per new candle, so the chart never rebuilds per frame.
 * `data` null means the cursor does not belong to the data yet (a load is in flight): wait.
 */
export function useChartPlaybackSync(
  handles: ChartHandles | null,
  data: PlaybackSeriesData | null,
  cursor: number,
  playing: boolean,
) {
  const renderedRef = useRef<Rendered | null>(null);

  useLayoutEffect(() => {
    if (!handles || !data) return;
    const rendered = renderedRef.current?.handles === handles ? renderedRef.current : null;
    const plan = planChartSync(rendered, data, cursor, playing);
    if (plan.kind === "none") return;

    const windowStart = plan.kind === "reset" ? plan.windowStart : (rendered?.windowStart ?? 0);
    if (plan.kind === "reset") resetSeries(handles, data, plan, cursor, rendered);
    else appendCandles(handles, data, plan.from, plan.to);

    // Markers of the candles in the chart only: one outside it would snap to the nearest candle.
    const firstTime = data.times[windowStart];
    const cursorTime = data.times[cursor];
    const markerRange: [number, number] =
      firstTime === undefined || cursorTime === undefined
        ? [0, 0]
        : [countAtOrBefore(data.markerTimes, firstTime - 1), countAtOrBefore(data.markerTimes, cursorTime)];
    const sameMarkers = rendered?.markerRange[0] === markerRange[0] && rendered.markerRange[1] === markerRange[1];
    if (plan.kind === "reset" || !sameMarkers) {
      handles.markers.setMarkers(data.chartMarkers.slice(markerRange[0], markerRange[1]));
    }
    renderedRef.current = { dataId: data, cursor, windowStart, handles, markerRange };
  }, [handles, data, cursor, playing]);
}

function resetSeries(
  handles: ChartHandles,
  data: PlaybackSeriesData,
  plan: Extract<ChartSyncPlan, { kind: "reset" }>,
  cursor: number,
  rendered: Rendered | null,
) {
  const timeScale = handles.chart.timeScale();
  const visibleBefore = timeScale.getVisibleLogicalRange();
  const { windowStart } = plan;
  const end = cursor + 1;
  handles.candles.setData(data.candles.slice(windowStart, end));
  for (const key of LINE_KEYS) handles.lines[key].setData(data.lines[key].slice(windowStart, end));

  if (plan.reason === "load") {
    const shown = end - windowStart;
    const slots = Math.min(Math.max(shown, MIN_CANDLE_SLOTS_ON_LOAD), CANDLE_SLOTS_ON_LOAD);
    timeScale.setVisibleLogicalRange({ from: shown - slots, to: shown + RIGHT_OFFSET });
    // The chart draws on its next animation frame; a frame requested now runs right after it.
    requestAnimationFrame(() => performance.mark(CHART_RENDERED_MARK));
  } else if (plan.reason === "window" && visibleBefore && rendered) {
    // Logical indexes count from the series' first candle: keep the same candles on screen.
    const shift = windowStart - rendered.windowStart;
    timeScale.setVisibleLogicalRange({ from: visibleBefore.from - shift, to: visibleBefore.to - shift });
  } else {
    timeScale.scrollToRealTime();
  }
}

function appendCandles(handles: ChartHandles, data: PlaybackSeriesData, from: number, to: number) {
  for (let i = from; i <= to; i++) {
    const candle = data.candles[i];
    if (candle) handles.candles.update(candle);
    for (const key of LINE_KEYS) {
      const point = data.lines[key][i];
      if (point) handles.lines[key].update(point);
    }
  }
}
