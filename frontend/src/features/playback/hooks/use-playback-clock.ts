import { useEffect, type Dispatch } from "react";
import type { PlaybackAction } from "../model/playback-machine";

/** While playing, one `tick` per animation frame with the milliseconds since the previous one. */
export function usePlaybackClock(playing: boolean, dispatch: Dispatch<PlaybackAction>) {
  useEffect(() => {
    if (!playing) return;
    let previous = performance.now();
    let frame = requestAnimationFrame(function onFrame(now) {
      dispatch({ type: "tick", elapsedMs: now - previous });
      previous = now;
      frame = requestAnimationFrame(onFrame);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing, dispatch]);
}
