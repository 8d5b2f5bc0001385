import { UtcTime } from "@/components/UtcTime";
import { isoToEpoch } from "@/lib/time";
import type { CheckResult } from "../api/types";
import { balanceRows, checkAdvice } from "../model/check";

/** The check just made: connected with the balances, or the refusal in words and what to do. */
export function CheckAnswer({ result }: { result: CheckResult }) {
  const rows = balanceRows(result.balances);
  const checkedAt = isoToEpoch(result.checked_at);
  const advice = result.ok ? "" : checkAdvice(result.reason);
  return (
    <div className="acct-answer" data-testid="account-check-result" data-ok={String(result.ok)} data-reason={result.reason} role="status">
      <p className={`small acct-check acct-check--${result.ok ? "ok" : "failed"}`}>
        <span>
          {result.ok ? "✓ " : "✗ "}
          {result.message}
        </span>
        {checkedAt !== null && (
          <span className="muted">
            checked <UtcTime epochSeconds={checkedAt} />
          </span>
        )}
      </p>
      {advice && (
        <p className="small" data-testid="account-check-advice">
          {advice}
        </p>
      )}
      {result.ok && rows.length > 0 && (
        <table className="bt-table acct-balances" data-testid="account-balances">
          <thead>
            <tr>
              <th>Asset</th>
              <th>Free</th>
              <th>In orders</th>
              <th>Total</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.asset} data-asset={row.asset}>
                <td>{row.asset}</td>
                <td>{row.free}</td>
                <td>{row.used}</td>
                <td>
                  {row.total} <span className="muted">{row.asset}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.ok && rows.length === 0 && <p className="muted small">The key works; the account holds no asset yet.</p>}
    </div>
  );
}
