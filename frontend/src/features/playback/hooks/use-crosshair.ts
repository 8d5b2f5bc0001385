import type { MouseEventParams, Time } from "lightweight-charts";
import { useEffect, useState } from "react";
import { candleIndexAt } from "../model/cursor";
import type { ChartHandles } from "./use-chart";

export interface CrosshairState {
  /** Candle index under the mouse, null when the mouse is off the candles. */
  index: number | null;
  /** Id of the marker under the mouse (Lightweight Charts' hit test), with the mouse position. */
  markerId: string | null;
  x: number;
  y: number;
}

const OFF_CHART: CrosshairState = { index: null, markerId: null, x: 0, y: 0 };

export function useCrosshair(handles: ChartHandles | null, times: readonly number[]): CrosshairState {
  const [state, setState] = useState<CrosshairState>(OFF_CHART);
  useEffect(() => {
    if (!handles) return;
    const onMove = (param: MouseEventParams<Time>) => {
      if (param.time === undefined || !param.point) {
        setState(OFF_CHART);
        return;
      }
      setState({
        index: candleIndexAt(times, param.time as number),
        markerId: typeof param.hoveredObjectId === "string" ? param.hoveredObjectId : null,
        x: param.point.x,
        y: param.point.y,
      });
    };
    handles.chart.subscribeCrosshairMove(onMove);
    return () => handles.chart.unsubscribeCrosshairMove(onMove);
  }, [handles, times]);
  return state;
}
