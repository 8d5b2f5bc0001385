import { useRef } from "react";
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
}) {
  const { run, data, cursor, playing, loaded } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const handles = useChart(containerRef);
  useChartPlaybackSync(handles, loaded ? data : null, cursor, playing);
  const crosshair = useCrosshair(handles, data.times);

  const legendIndex = crosshair.index !== null && crosshair.index <= cursor ? crosshair.index : cursor;
  const hoveredMarker = crosshair.markerId ? data.markers.find((m) => m.id === crosshair.markerId) : undefined;
  return (
    <div className="chart">
      <div ref={containerRef} className="chart__canvas" data-testid="chart" />
      {loaded && <ChartLegend run={run} data={data} index={legendIndex} />}
      {hoveredMarker && <MarkerTooltip marker={hoveredMarker} x={crosshair.x} y={crosshair.y} />}
    </div>
  );
}
