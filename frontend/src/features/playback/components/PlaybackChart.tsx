import { useRef } from "react";
import { useBarClick } from "../hooks/use-bar-click";
import type { StrategyRun } from "@/lib/api-types";
import { useChart } from "../hooks/use-chart";
import { useChartPlaybackSync } from "../hooks/use-chart-playback-sync";
import { useCrosshair } from "../hooks/use-crosshair";
import type { PlaybackSeriesData } from "../model/series-data";
import { ChartLegend } from "./ChartLegend";
import { MarkerTooltip } from "./MarkerTooltip";

/**
 * The candlestick chart with the strategy's lines and entry arrows up to `cursor`.
 * `loaded` is false while the cursor still refers to the previous data.
 */
export function PlaybackChart(props: {
  run: StrategyRun;
  data: PlaybackSeriesData;
  cursor: number;
  playing: boolean;
  loaded: boolean;
  /** Select-bar mode: a click on the chart picks the candle under the mouse. */
  onBarClick?: (index: number) => void;
}) {
  const { run, data, cursor, playing, loaded, onBarClick } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const handles = useChart(containerRef);
  useChartPlaybackSync(handles, loaded ? data : null, cursor, playing);
  const crosshair = useCrosshair(handles, data.times);
  useBarClick(handles, data.times, onBarClick);

  const legendIndex = crosshair.index !== null && crosshair.index <= cursor ? crosshair.index : cursor;
  const hoveredMarker = crosshair.markerId ? data.markers.find((m) => m.id === crosshair.markerId) : undefined;
  return (
    <div className={`chart${onBarClick ? " chart--select-bar" : ""}`}>
      <div ref={containerRef} className="chart__canvas" data-testid="chart" />
      {loaded && <ChartLegend run={run} data={data} index={legendIndex} />}
      {hoveredMarker && <MarkerTooltip marker={hoveredMarker} x={crosshair.x} y={crosshair.y} />}
    </div>
  );
}
