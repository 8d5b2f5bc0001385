import { useMemo } from "react";
import type { StrategyRun } from "@/lib/api-types";
import { toPlaybackSeriesData } from "../model/series-data";
import { PlaybackChart } from "./PlaybackChart";

/**
 * A strategy run on the replay's chart, all of it at once (no playback): candles, entry arrows,
 * the legend and the arrows' tooltips. For previewing any strategy key, a user's too.
 */
export function StrategyRunChart({ run }: { run: StrategyRun }) {
  const data = useMemo(() => toPlaybackSeriesData(run), [run]);
  const last = Math.max(0, data.times.length - 1);
  return <PlaybackChart run={run} data={data} cursor={last} playing={false} loaded={data.times.length > 0} />;
}
