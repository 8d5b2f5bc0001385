// The backtests feature's public surface: what the app composes.
export { BacktestsView } from "./components/BacktestsView";
