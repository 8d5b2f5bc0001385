// Old `?page=` links (before the router): where they live now.

/** The path an old `/?page=backtests[&run=<id>|&sweep=<id>]` link points to, or null. */
export function legacyPagePath(search: string): string | null {
  const params = new URLSearchParams(search);
  if (params.get("page") !== "backtests") return null;
  const run = Number(params.get("run"));
  const sweep = Number(params.get("sweep"));
  if (Number.isInteger(run) && run > 0) return `/backtests/${run}`;
  if (Number.isInteger(sweep) && sweep > 0) return `/backtests/sweeps/${sweep}`;
  return "/backtests";
}

/** A positive integer id from a route parameter, or null (the page then says "not found"). */
export function routeId(value: string | undefined): number | null {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) return null;
  return Number(value);
}

/** A strategy key from a link's `?strategy=` (the backtest and bot forms preselect it), or null. */
export function preselectedStrategy(search: string): string | null {
  const key = new URLSearchParams(search).get("strategy");
  return key && /^[A-Za-z0-9_-]{1,100}$/.test(key) ? key : null;
}

/** The Strategies pages' URLs, and where their "Backtest it" / "Start a paper bot" go. */
export const strategyPaths = {
  list: "/strategies",
  edit: (id: number) => `/strategies/${id}`,
  create: (copyFrom?: string) => `/strategies/new${copyFrom ? `?from=${encodeURIComponent(copyFrom)}` : ""}`,
  backtest: (key: string) => `/backtests?strategy=${encodeURIComponent(key)}`,
  paperBot: (key: string) => `/bots?strategy=${encodeURIComponent(key)}`,
};
