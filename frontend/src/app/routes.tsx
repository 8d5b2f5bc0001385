// Every page of the browser app and its URL. Django answers index.html for any path that is not
// the API, the admin, static files or a WebSocket (config/spa.py), so these URLs survive a
// reload and work as deep links. To add a page: a route here (with its `handle`), and an entry in
// nav.ts when it belongs in the header. Pages that need a signed-in user are wrapped in <RequireAuth>.
import { createBrowserRouter, Navigate, useLocation, type RouteObject } from "react-router";
import { RequireAuth } from "@/features/auth";
import { App } from "../App";
import { AccountsPage } from "./AccountsPage";
import { AlertsPage } from "./AlertsPage";
import { LoginPage, SignupPage } from "./AuthPages";
import { BacktestsPage } from "./BacktestsPage";
import { BotPage, BotsPage, DashboardPage } from "./BotsPages";
import type { PageHandle } from "./nav";
import { NotFoundPage } from "./NotFoundPage";
import { OptimisationPage } from "./OptimisationPage";
import { legacyPagePath } from "./pages";
import { RiskPage } from "./RiskPage";
import { StrategiesPage, StrategyEditPage } from "./StrategiesPages";

const replay: PageHandle = { title: "HMA/SMA replay", subtitle: "multi-timeframe trend strategy, bar by bar" };
const backtests: PageHandle = { title: "Backtests", subtitle: "run strategies over stored candles, compare parameters" };
const risk: PageHandle = { title: "Risk", subtitle: "how much a trade may risk, and when trading stops" };
const accounts: PageHandle = { title: "Exchange accounts", subtitle: "API keys your bots trade with, stored encrypted" };
const alerts: PageHandle = { title: "Alerts", subtitle: "fills, errors and stalls sent to Telegram, Discord, e-mail…" };
const strategies: PageHandle = { title: "Strategies", subtitle: "write your own, preview their entries, backtest them" };
const optimisation: PageHandle = { title: "Optimisation", subtitle: "parameter studies, walk-forward, and how much is luck" };
const strategy: PageHandle = { title: "Strategy", subtitle: "its source, parameters, versions and entries" };

/** The replay, unless an old `/?page=backtests` link asks for another page. */
function ReplayRoute() {
  const legacy = legacyPagePath(useLocation().search);
  return legacy ? <Navigate to={legacy} replace /> : <App />;
}

const backtestsPage = (
  <RequireAuth>
    <BacktestsPage />
  </RequireAuth>
);

export const routes: RouteObject[] = [
  { path: "/", element: <ReplayRoute />, handle: replay },
  { path: "/backtests", element: backtestsPage, handle: backtests },
  {
    path: "/backtests/compare",
    element: (
      <RequireAuth>
        <BacktestsPage compare />
      </RequireAuth>
    ),
    handle: { title: "Compare runs", subtitle: backtests.subtitle },
  },
  { path: "/backtests/:runId", element: backtestsPage, handle: backtests },
  { path: "/backtests/sweeps/:sweepId", element: backtestsPage, handle: backtests },
  { path: "/strategies", element: <RequireAuth><StrategiesPage /></RequireAuth>, handle: strategies },
  { path: "/strategies/new", element: <RequireAuth><StrategyEditPage /></RequireAuth>, handle: { title: "New strategy", subtitle: strategy.subtitle } },
  { path: "/strategies/:strategyId", element: <RequireAuth><StrategyEditPage /></RequireAuth>, handle: strategy },
  { path: "/optimisation", element: <RequireAuth><OptimisationPage /></RequireAuth>, handle: optimisation },
  { path: "/optimisation/studies/:studyId", element: <RequireAuth><OptimisationPage /></RequireAuth>, handle: optimisation },
  { path: "/optimisation/walk-forwards/:walkId", element: <RequireAuth><OptimisationPage /></RequireAuth>, handle: optimisation },
  {
    path: "/risk",
    element: (
      <RequireAuth>
        <RiskPage />
      </RequireAuth>
    ),
    handle: risk,
  },
  {
    path: "/accounts",
    element: (
      <RequireAuth>
        <AccountsPage />
      </RequireAuth>
    ),
    handle: accounts,
  },
  { path: "/alerts", element: <RequireAuth><AlertsPage /></RequireAuth>, handle: alerts },
  { path: "/dashboard", element: <RequireAuth><DashboardPage /></RequireAuth>, handle: { title: "Dashboard", subtitle: "all your bots at a glance" } },
  { path: "/bots", element: <RequireAuth><BotsPage /></RequireAuth>, handle: { title: "Bots", subtitle: "strategies trading live, paper or real" } },
  { path: "/bots/:botId", element: <RequireAuth><BotPage /></RequireAuth>, handle: { title: "Bot", subtitle: "its chart, orders, trades and reconciliation" } },
  { path: "/login", element: <LoginPage />, handle: { title: "Sign in", subtitle: "" } },
  { path: "/signup", element: <SignupPage />, handle: { title: "Create an account", subtitle: "" } },
  { path: "*", element: <NotFoundPage />, handle: { title: "Not found", subtitle: "" } },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
