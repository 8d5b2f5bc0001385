// The risk feature's public surface: the Risk page's view, the backtest form's profile picker,
// the run page's blocked entries. The app (routes, pages) composes them.
export { BlockedEntries } from "./components/BlockedEntries";
export { ProfilePicker, type ProfilePickerProps } from "./components/ProfilePicker";
export { RiskProfilesView } from "./components/RiskProfilesView";
export type { RiskProfile, RiskReport } from "./api/types";
