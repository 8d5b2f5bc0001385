// The exchange accounts feature's public surface: the Accounts page's view (the app composes it).
export { AccountsView } from "./components/AccountsView";
export type { ExchangeAccount } from "./api/types";
