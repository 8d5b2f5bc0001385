import "@/components/chip.css";
import "./playback-controls.css";
import type { Dispatch } from "react";
import { PauseIcon, PlayIcon, StepBackIcon, StepForwardIcon } from "@/components/Icons";
import { formatUtc } from "@/lib/time";
import { PLAYBACK_SPEEDS, type PlaybackAction, type PlaybackSpeed, type PlaybackState } from "../model/playback-machine";

const speedLabel = (speed: PlaybackSpeed) => (speed === "max" ? "max" : `${speed}×`);

function parseSpeed(value: string): PlaybackSpeed {
  return PLAYBACK_SPEEDS.find((speed) => String(speed) === value) ?? 1;
}

/** Replay controls: step back, play/pause, step forward, speed, the scrub slider and the cursor time. */
export function PlaybackControls({ state, dispatch }: { state: PlaybackState; dispatch: Dispatch<PlaybackAction> }) {
  const count = state.times.length;
  const time = state.times[state.cursor];
  const disabled = count === 0;
  return (
    <div className="controls" aria-label="Playback">
      <div className="controls__buttons">
        <button
          type="button"
          className="icon-button"
          data-testid="step-back"
          title="One candle back (←)"
          aria-label="Step back"
          disabled={disabled || state.cursor <= 0}
          onClick={() => dispatch({ type: "stepBack" })}
        >
          <StepBackIcon />
        </button>
        {state.playing ? (
          <button type="button" className="icon-button icon-button--primary" data-testid="pause" title="Pause (space)" aria-label="Pause" onClick={() => dispatch({ type: "pause" })}>
            <PauseIcon />
          </button>
        ) : (
          <button type="button" className="icon-button icon-button--primary" data-testid="play" title="Play (space)" aria-label="Play" disabled={count < 2} onClick={() => dispatch({ type: "play" })}>
            <PlayIcon />
          </button>
        )}
        <button
          type="button"
          className="icon-button"
          data-testid="step-forward"
          title="One candle forward (→)"
          aria-label="Step forward"
          disabled={disabled || state.cursor >= count - 1}
          onClick={() => dispatch({ type: "stepForward" })}
        >
          <StepForwardIcon />
        </button>
        <button
          type="button"
          className={`chip${state.selectingBar ? " chip--on" : ""}`}
          data-testid="select-bar"
          title="Choose where the replay starts: click a candle on the chart (Home / End: first / last candle)"
          aria-pressed={state.selectingBar}
          disabled={disabled}
          onClick={() => dispatch({ type: state.selectingBar ? "cancelSelectBar" : "selectBar" })}
        >
          Select bar
        </button>
        <label className="controls__speed">
          <span>Speed</span>
          <select
            data-testid="speed-select"
            value={String(state.speed)}
            onChange={(e) => dispatch({ type: "setSpeed", speed: parseSpeed(e.target.value) })}
            title="Candles per second"
          >
            {PLAYBACK_SPEEDS.map((speed) => (
              <option key={speed} value={String(speed)}>
                {speedLabel(speed)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <input
        type="range"
        className="controls__slider"
        data-testid="slider"
        aria-label="Replay position"
        min={0}
        max={Math.max(count - 1, 0)}
        step={1}
        value={Math.max(state.cursor, 0)}
        disabled={disabled}
        onChange={(e) => dispatch({ type: "seek", index: Number(e.target.value) })}
      />
      <div className="controls__position">
        <span data-testid="cursor-time" data-time={time ?? ""}>
          {time === undefined ? "—" : formatUtc(time)}
        </span>
        <span className="muted" data-testid="cursor-position">
          {count === 0 ? "0 / 0" : `${state.cursor + 1} / ${count}`}
        </span>
      </div>
    </div>
  );
}
