// The playback feature's public surface: what the app composes.
export { PlaybackView } from "./components/PlaybackView";
export { StrategyRunChart } from "./components/StrategyRunChart";
export { useStrategyRun, type StrategyRunParams } from "./api/get-strategy-run";
export { windowKeepingCursor, type RequestWindow } from "./model/request-window";
