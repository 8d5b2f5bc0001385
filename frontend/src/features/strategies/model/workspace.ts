// The editor page's decisions, pure: what a save sends, what it says afterwards, how a strategy's
// derived facts read.
import type { StrategyCheck, StrategyParam, StrategyStops, UserStrategy } from "../api/types";

/** The strategy a new one starts from (the language's own example). */
export const NEW_STRATEGY_TEMPLATE = `# EMA cross with a 4h trend filter
timeframe = "5m"
param fast = 12 in 5..50
param slow = 26 in 10..200
trend = tf("4h", hma(close, 200))   # the last CLOSED 4h value
long_entry = crosses_above(ema(close, fast), ema(close, slow)) and close > trend
long_exit = crosses_below(ema(close, fast), ema(close, slow))
stop_loss = 2%
take_profit = 4%
`;

export const NAME_MAX_LENGTH = 100;

/** The body of a save: everything for a new strategy; only what changed for a saved one (null: nothing). */
export function saveBody(saved: Pick<UserStrategy, "name" | "source"> | null, name: string, source: string): { name?: string; source?: string } | null {
  const trimmed = name.trim();
  if (!saved) return { name: trimmed, source };
  const body: { name?: string; source?: string } = {};
  if (trimmed !== saved.name) body.name = trimmed;
  if (source !== saved.source) body.source = source;
  return Object.keys(body).length ? body : null;
}

/** A name the API would refuse for sure, said before sending; null when fine. */
export function nameProblem(name: string): string | null {
  if (!name.trim()) return "Give the strategy a name.";
  if (name.trim().length > NAME_MAX_LENGTH) return `At most ${NAME_MAX_LENGTH} characters.`;
  return null;
}

/** What the page says after a save. */
export function savedMessage(before: Pick<UserStrategy, "version" | "key"> | null, after: Pick<UserStrategy, "version" | "key">): string {
  if (!before) return `Saved as version ${after.version} (${after.key}).`;
  if (after.version === before.version) return "Saved: same version, the name changed.";
  return `Saved as version ${after.version} (${after.key}). Backtests and bots made with version ${before.version} keep running version ${before.version} (${before.key}).`;
}

const percent = (fraction: number) => `${Number((fraction * 100).toPrecision(10))} %`;

/** "stop-loss 2 %, take-profit 4 %", or "none". */
export function formatStops(stops: StrategyStops | null | undefined): string {
  const parts: string[] = [];
  if (typeof stops?.stop_loss === "number") parts.push(`stop-loss ${percent(stops.stop_loss)}`);
  if (typeof stops?.take_profit === "number") parts.push(`take-profit ${percent(stops.take_profit)}`);
  return parts.length ? parts.join(", ") : "none";
}

/** "5..50": every param of the language has both bounds. */
export function formatRange(param: Pick<StrategyParam, "minimum" | "maximum">): string {
  return `${param.minimum}..${param.maximum}`;
}

/** "131 candles of 5m; 4h: 202", the history a run needs before its first decision. */
export function formatWarmup(base: string, warmup: { base: number; context: Record<string, number> }): string {
  const context = Object.entries(warmup.context).map(([tf, bars]) => `${tf}: ${bars}`);
  return [`${warmup.base} candles of ${base}`, ...context].join("; ");
}

export type CheckState = { kind: "pending" } | { kind: "checked"; ok: boolean; messages: string[] };

/** The lookahead / warm-up check of a saved version as the page shows it (null: not checked yet). */
export function checkState(
  check: (Pick<StrategyCheck, "ok"> & { findings: Pick<StrategyCheck["findings"][number], "message">[] }) | null | undefined,
): CheckState {
  if (!check) return { kind: "pending" };
  const messages = (check.findings ?? []).map((f) => f.message).filter(Boolean);
  if (!check.ok && messages.length === 0) messages.push("The check did not pass.");
  return { kind: "checked", ok: check.ok, messages };
}
