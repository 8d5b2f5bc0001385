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
