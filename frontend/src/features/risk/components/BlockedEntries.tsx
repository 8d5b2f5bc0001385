import { UtcTime } from "@/components/UtcTime";
import { blockedRows, formatSizes, parseRiskReport, riskProfileName, sizingSummary } from "../model/blocked";

/**
 * The run page's risk section: the profile used, entries blocked per rule (with the words of the
 * first refusal), the kill switch, what sized the entries. Renders nothing for a run without a
 * profile. `report` and `limits` are the run's `risk_report` and `risk_limits` as the API sent them.
 */
export function BlockedEntries(props: { report: unknown; limits: unknown; baseAsset?: string }) {
  const report = parseRiskReport(props.report);
  const name = riskProfileName(props.limits);
  if (!report) {
    return name ? (
      <section className="bt-card bt-risk" data-testid="risk-report">
        <h3>Risk profile “{name}”</h3>
        <p className="muted small">Blocked entries show here once the run is done.</p>
      </section>
    ) : null;
  }
  const rows = blockedRows(report);
  return (
    <section className="bt-card bt-risk" data-testid="risk-report">
      <h3>Risk profile{name ? ` “${name}”` : ""}</h3>
      {report.kill_switch && (
        <p className="bt-error" data-testid="kill-switch">
          Kill switch at <UtcTime epochSeconds={report.kill_switch.time} />: {report.kill_switch.reason}. Nothing was traded after it.
        </p>
      )}
      <p className="muted small" data-testid="risk-sizing">
        {sizingSummary(report)} · sizes {formatSizes(report.sizes, props.baseAsset ?? "")}
      </p>
      {rows.length === 0 ? (
        <p className="muted" data-testid="blocked-none">
          No entry was blocked: every signal was within the profile's limits.
        </p>
      ) : (
        <table className="bt-table" data-testid="blocked-table">
          <caption>Entry signals the profile refused, per rule</caption>
          <thead>
            <tr>
              <th>Blocked by</th>
              <th>Entries</th>
              <th className="text-left">First refusal, in words</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.rule} data-testid={`blocked-${row.rule}`}>
                <td>{row.label}</td>
                <td data-testid="blocked-count">{row.count.toLocaleString("en-US")}</td>
                <td className="text-left small wrap">{row.example}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th>Total (an entry refused by two rules counts once)</th>
              <td data-testid="blocked-total">{report.blocked_total.toLocaleString("en-US")}</td>
              <td />
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  );
}
