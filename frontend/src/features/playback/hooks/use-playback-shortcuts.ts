import { useEffect, type Dispatch } from "react";
import type { PlaybackAction } from "../model/playback-machine";

/** Space: play/pause; ArrowRight / ArrowLeft: one candle forward / back; Home / End: the first /
 * last candle; Escape: leave select-bar mode. */
export function usePlaybackShortcuts(dispatch: Dispatch<PlaybackAction>) {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target;
      if (isTextEntry(target)) return;
      // The slider moves itself with the arrow keys (and reports it as a seek).
      const onSlider = target instanceof HTMLInputElement && target.type === "range";
      const action = actionForKey(event.key, onSlider);
      if (!action) return;
      // Also stops a focused button from being "clicked" by the same space press.
      event.preventDefault();
      dispatch(action);
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [dispatch]);
}

function actionForKey(key: string, onSlider: boolean): PlaybackAction | null {
  if (key === " ") return { type: "togglePlay" };
  if (onSlider) return null;
  if (key === "ArrowRight") return { type: "stepForward" };
  if (key === "ArrowLeft") return { type: "stepBack" };
  if (key === "Home") return { type: "first" };
  if (key === "End") return { type: "last" };
  if (key === "Escape") return { type: "cancelSelectBar" };
  return null;
}

function isTextEntry(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement) return target.type !== "range" && target.type !== "checkbox";
  return (
    target instanceof HTMLSelectElement ||
    target instanceof HTMLTextAreaElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}
