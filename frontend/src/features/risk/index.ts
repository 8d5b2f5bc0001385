// The risk feature's public surface (not wired into the app yet): the Risk page, the backtest
// form's profile picker, the run page's blocked entries. The app passes the authenticated request.
export { BlockedEntries } from "./components/BlockedEntries";
export { ProfilePicker } from "./components/ProfilePicker";
export { RiskProfilesView } from "./components/RiskProfilesView";
export { riskApi, useRiskProfiles, type RiskRequester } from "./api/risk-profiles";
export type { RiskProfile, RiskReport } from "./api/types";
