import type { MouseEventParams, Time } from "lightweight-charts";
import { useEffect } from "react";
import { candleIndexAt } from "../model/cursor";
import type { ChartHandles } from "./use-chart";

/** Calls `onBarClick` with the index of the candle clicked (nothing without the callback). */
export function useBarClick(handles: ChartHandles | null, times: readonly number[], onBarClick: ((index: number) => void) | undefined) {
  useEffect(() => {
    if (!handles || !onBarClick) return;
    const onClick = (param: MouseEventParams<Time>) => {
      if (param.time !== undefined) onBarClick(candleIndexAt(times, param.time as number));
    };
    handles.chart.subscribeClick(onClick);
    return () => handles.chart.unsubscribeClick(onClick);
  }, [handles, times, onBarClick]);
}
