import { useMemo, useState } from "react";
import { Banner } from "@/components/Banner";
import type { StrategyRun } from "@/lib/api-types";
import { useCursorReport, usePlayback } from "../hooks/use-playback";
import { shownCursor } from "../model/playback-machine";
import { hasBaseSma, toPlaybackSeriesData } from "../model/series-data";
import { CursorPanel } from "./CursorPanel";
import { PlaybackChart } from "./PlaybackChart";
import { PlaybackControls } from "./PlaybackControls";
import { WarmupBanner } from "./WarmupBanner";

export interface PlaybackViewProps {
  run: StrategyRun;
  /** Where to put the cursor on the first load (the URL's `t`), null for the last candle. */
  initialCursorTime: number | null;
  /** Called when the cursor time or the playing flag changes. Must be stable (useCallback). */
  onCursorChange: (time: number, playing: boolean) => void;
}

/** Bar replay of one strategy run: chart, controls and the cursor's side panel. */
export function PlaybackView({ run, initialCursorTime, onCursorChange }: PlaybackViewProps) {
  const [baseSma, setBaseSma] = useState(false);
  const data = useMemo(() => toPlaybackSeriesData(run, { baseSma }), [run, baseSma]);
  const { state, dispatch, loaded } = usePlayback(data, initialCursorTime);
  useCursorReport(state, loaded, onCursorChange);

  if (data.times.length === 0) {
    return (
      <Banner tone="info" title="No candles in this window" testId="empty-message">
        The run returned no candles. Widen the start/end dates or clear them to see the latest candles.
      </Banner>
    );
  }
  const cursor = loaded ? state.cursor : data.times.length - 1;
  // While a bar is being selected the chart shows every candle; the panels stay at the cursor.
  const chartCursor = loaded ? shownCursor(state) : cursor;
  const atEnd = cursor >= data.times.length - 1;
  return (
    <div
      className="playback"
      data-testid="playback"
      data-symbol={run.symbol}
      data-timeframe={run.timeframe}
      data-candles={data.times.length}
      data-ready={String(loaded)}
    >
      <div className="playback__main">
        {!run.warmup_complete && <WarmupBanner run={run} />}
        {hasBaseSma(run) && (
          <label className="base-sma-toggle" title="The strategy compares prices with the SMA of its base timeframe, not of the one shown">
            <input type="checkbox" data-testid="base-sma-toggle" checked={baseSma} onChange={(e) => setBaseSma(e.target.checked)} />
            Draw the {run.base_timeframe} SMA the signals use
          </label>
        )}
        {state.selectingBar && (
          <div className="select-bar-hint" role="status" data-testid="select-bar-hint">
            Select bar: click the candle to start the replay from (Esc cancels).
          </div>
        )}
        <PlaybackChart
          run={run}
          data={data}
          cursor={chartCursor}
          playing={state.playing}
          loaded={loaded}
          onBarClick={state.selectingBar ? (index) => dispatch({ type: "pickBar", index }) : undefined}
        />
        <PlaybackControls state={state} dispatch={dispatch} />
      </div>
      <CursorPanel run={run} data={data} cursor={cursor} atEnd={atEnd} />
    </div>
  );
}
