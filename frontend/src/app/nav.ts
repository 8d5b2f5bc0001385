// The header's page links and what each page's route tells the header (routes.tsx `handle`).

export interface PageHandle {
  title: string;
  subtitle: string;
}

export const NAV: { to: string; label: string; testId: string; end?: boolean }[] = [
  { to: "/dashboard", label: "Dashboard", testId: "nav-dashboard" },
  { to: "/", label: "Replay", testId: "nav-replay", end: true },
  { to: "/strategies", label: "Strategies", testId: "nav-strategies" },
  { to: "/backtests", label: "Backtests", testId: "nav-backtests" },
  { to: "/optimisation", label: "Optimisation", testId: "nav-optimisation" },
  { to: "/bots", label: "Bots", testId: "nav-bots" },
  { to: "/risk", label: "Risk", testId: "nav-risk" },
  { to: "/accounts", label: "Accounts", testId: "nav-accounts" },
  { to: "/alerts", label: "Alerts", testId: "nav-alerts" },
];
