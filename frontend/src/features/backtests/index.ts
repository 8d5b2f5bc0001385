// The backtests feature's public surface: what the app composes.
export { BacktestsView, type Selection } from "./components/BacktestsView";
export { compareSearch, parseCompareIds } from "./model/compare";
