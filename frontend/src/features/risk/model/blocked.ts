// A backtest's risk_report as rows for the run page: entries blocked per rule, what sized them.
import type { RiskReport } from "../api/types";

export const RULE_LABELS: Record<string, string> = {
  drawdown: "Drawdown kill switch",
  daily_loss: "Daily loss limit",
  cooldown: "Cooldown after a stop-loss",
  max_open_positions: "Max open positions",
  symbol_open: "Position already open on the symbol",
  invalid_intent: "Invalid entry",
  no_stop: "No stop-loss",
  stop_distance: "Stop on the wrong side of the entry",
  no_equity: "No equity left",
  leverage: "No leverage room left",
};

const SIZED_BY_LABELS: Record<string, string> = {
  risk_per_trade: "risk per trade",
  max_position_fraction: "the max position cap",
  leverage: "the leverage room",
};

export interface BlockedRow {
  rule: string;
  label: string;
  count: number;
  example: string;
}

/** One row per rule that refused something, most refusals first (then by label). */
export function blockedRows(report: RiskReport): BlockedRow[] {
  return Object.entries(report.blocked)
    .filter(([, count]) => count > 0)
    .map(([rule, count]) => ({ rule, label: RULE_LABELS[rule] ?? rule, count, example: report.examples[rule] ?? "" }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** "Sized 12 by risk per trade, 3 by the max position cap" (most first). */
export function sizingSummary(report: RiskReport): string {
  const parts = Object.entries(report.sized_by)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([limit, count]) => `${count} by ${SIZED_BY_LABELS[limit] ?? limit}`);
  return parts.length ? `Sized ${parts.join(", ")}` : "No entry taken";
}

const isRecordOf = (value: unknown, check: (item: unknown) => boolean): value is Record<string, never> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every(check);
const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/**
 * A run's `risk_report` (free-form JSON in the API schema) as a RiskReport, or null when the run
 * had no profile or the shape is not one this page knows (then nothing half-read is shown).
 */
export function parseRiskReport(value: unknown): RiskReport | null {
  if (typeof value !== "object" || value === null) return null;
  const raw = value as Record<string, unknown>;
  if (!isRecordOf(raw.blocked, isNumber) || !isNumber(raw.blocked_total)) return null;
  const examples = isRecordOf(raw.examples, (item) => typeof item === "string") ? (raw.examples as Record<string, string>) : {};
  const sizedBy = isRecordOf(raw.sized_by, isNumber) ? (raw.sized_by as Record<string, number>) : {};
  const sizes = raw.sizes as RiskReport["sizes"] | undefined;
  const kill = raw.kill_switch as RiskReport["kill_switch"] | undefined;
  return {
    blocked: raw.blocked as Record<string, number>,
    blocked_total: raw.blocked_total,
    examples,
    sized_by: sizedBy,
    sizes: sizes && isNumber(sizes.min) && isNumber(sizes.max) && isNumber(sizes.mean) ? sizes : null,
    kill_switch: kill && isNumber(kill.time) && typeof kill.reason === "string" ? kill : null,
  };
}

/** The name of the profile a run used, from its `risk_limits` copy (null without one). */
export function riskProfileName(limits: unknown): string | null {
  if (typeof limits !== "object" || limits === null) return null;
  const name = (limits as Record<string, unknown>).name;
  return typeof name === "string" ? name : null;
}

/** Entry sizes in units of the base asset, "0.0712 – 0.0785 BTC (mean 0.0739)". */
export function formatSizes(sizes: RiskReport["sizes"], base: string): string {
  if (!sizes) return "no entry taken";
  const f = (value: number) => value.toPrecision(4).replace(/\.?0+$/, "");
  const unit = base ? ` ${base}` : "";
  return sizes.min === sizes.max ? `${f(sizes.min)}${unit}` : `${f(sizes.min)} – ${f(sizes.max)}${unit} (mean ${f(sizes.mean)})`;
}
