import type { RiskReport } from "../api/types";
import { blockedRows, sizingSummary } from "../model/blocked";

/** The run page's risk section: entries blocked per rule, the kill switch, what sized the entries. */
export function BlockedEntries({ report, formatTime }: { report: RiskReport; formatTime: (epochSeconds: number) => string }) {
  const rows = blockedRows(report);
  return (
    <section className="bt-card" data-testid="risk-report">
      <h3>Risk profile</h3>
      {report.kill_switch && (
        <p className="bt-error" data-testid="kill-switch">
          Kill switch at {formatTime(report.kill_switch.time)}: {report.kill_switch.reason}
        </p>
      )}
      <p className="muted small">{sizingSummary(report)}</p>
      {rows.length === 0 ? (
        <p className="muted">No entry was blocked.</p>
      ) : (
        <table className="bt-table">
          <thead>
            <tr>
              <th>Blocked by</th>
              <th>Entries</th>
              <th>First time, in words</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.rule} data-testid={`blocked-${row.rule}`}>
                <td>{row.label}</td>
                <td>{row.count}</td>
                <td className="small">{row.example}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td>Total (an entry blocked by two rules counts once)</td>
              <td>{report.blocked_total}</td>
              <td />
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  );
}
