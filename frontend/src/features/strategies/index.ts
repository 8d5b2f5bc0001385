// The strategies feature's public surface: what the app composes (the Strategies pages).
import "./strategies.css";
export { StrategiesView } from "./components/StrategiesView";
export { StrategyWorkspace, type PreviewSlotProps } from "./components/StrategyWorkspace";
export type { StrategyPaths } from "./components/paths";
