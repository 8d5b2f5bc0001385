import { useEffect, useLayoutEffect, useReducer } from "react";
import { initialPlaybackState, playbackReducer, type PlaybackState } from "../model/playback-machine";
import type { PlaybackSeriesData } from "../model/series-data";
import { usePlaybackClock } from "./use-playback-clock";
import { usePlaybackShortcuts } from "./use-playback-shortcuts";

/**
 * Replay state for the loaded data. New data keeps the cursor's moment (the reducer's `load`);
 * `initialCursorTime` (from the URL) only places the cursor when there was no data before.
 */
export function usePlayback(data: PlaybackSeriesData, initialCursorTime: number | null) {
  const [state, dispatch] = useReducer(playbackReducer, initialPlaybackState);

  // Layout effect: the cursor moves onto the new data before the browser paints the old cursor.
  // initialCursorTime is deliberately read only when data changes.
  useLayoutEffect(() => {
    dispatch({ type: "load", times: data.times, anchorTime: initialCursorTime });
  }, [data]);

  usePlaybackClock(state.playing, dispatch);
  usePlaybackShortcuts(dispatch);
  return { state, dispatch, loaded: state.times === data.times };
}

/** Reports the cursor time whenever it or the playing flag changes (for the URL). */
export function useCursorReport(state: PlaybackState, loaded: boolean, onCursorChange: (time: number, playing: boolean) => void) {
  const time = state.times[state.cursor];
  useEffect(() => {
    if (loaded && time !== undefined) onCursorChange(time, state.playing);
  }, [loaded, time, state.playing, onCursorChange]);
}
