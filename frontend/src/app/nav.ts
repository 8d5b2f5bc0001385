// The header's page links and what each page's route tells the header (routes.tsx `handle`).

export interface PageHandle {
  title: string;
  subtitle: string;
}

export const NAV: { to: string; label: string; testId: string; end?: boolean }[] = [
  { to: "/", label: "Replay", testId: "nav-replay", end: true },
  { to: "/backtests", label: "Backtests", testId: "nav-backtests" },
  { to: "/dashboard", label: "Dashboard", testId: "nav-dashboard" },
  { to: "/bots", label: "Bots", testId: "nav-bots" },
];
