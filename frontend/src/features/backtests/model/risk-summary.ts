// The little of a run's risk profile the backtests feature shows itself (the sweep table's
// "Blocked" column, the profile's name). The full report is the risk feature's, composed by the app.

/** Entry signals a run's profile blocked (`risk_report.blocked_total`), or null (no profile, not done). */
export function blockedTotal(report: unknown): number | null {
  if (typeof report !== "object" || report === null) return null;
  const total = (report as Record<string, unknown>).blocked_total;
  return typeof total === "number" && Number.isFinite(total) ? total : null;
}

/** The profile's name from a run's or sweep's `risk_limits` copy, or null. */
export function profileNameOf(limits: unknown): string | null {
  if (typeof limits !== "object" || limits === null) return null;
  const name = (limits as Record<string, unknown>).name;
  return typeof name === "string" ? name : null;
}
