import type { StrategyCheck } from "../api/types";
import { checkState } from "../model/workspace";

/** The lookahead / warm-up check in a table cell: ok, how many findings, or not done yet. */
export function CheckBadge({ check }: { check: StrategyCheck | null }) {
  const state = checkState(check);
  if (state.kind === "pending") return <span className="muted" data-testid="check-badge" data-check="pending">checking…</span>;
  if (state.ok && state.messages.length === 0)
    return (
      <span className="up" data-testid="check-badge" data-check="ok">
        ✓ ok
      </span>
    );
  return (
    <span className={state.ok ? "strategies-warn" : "down"} data-testid="check-badge" data-check={state.ok ? "notes" : "failed"} title={state.messages.join("\n")}>
      {state.ok ? "ok, " : "✗ "}
      {state.messages.length} {state.messages.length === 1 ? "finding" : "findings"}
    </span>
  );
}

/** The check of the saved version, in full: what it looked for and what it found. */
export function CheckResult({ check, version }: { check: StrategyCheck | null; version: number }) {
  const state = checkState(check);
  return (
    <div className="strategy-check" data-testid="strategy-check" data-check={state.kind === "pending" ? "pending" : state.ok ? "ok" : "failed"}>
      <h3>Lookahead and warm-up check (version {version})</h3>
      {state.kind === "pending" && <p className="muted">Checking the saved version…</p>}
      {state.kind === "checked" && state.ok && state.messages.length === 0 && (
        <p className="up">✓ No lookahead found, and the warm-up covers every indicator.</p>
      )}
      {state.kind === "checked" && state.messages.length > 0 && (
        <>
          <p className={state.ok ? "strategies-warn" : "bt-error"}>{state.ok ? "Passed, with notes:" : "The check found problems:"}</p>
          <ul className="strategy-findings" data-testid="check-findings">
            {state.messages.map((message, i) => (
              <li key={i}>{message}</li>
            ))}
          </ul>
        </>
      )}
      {check?.data && <p className="muted small">Ran on {check.data}.</p>}
    </div>
  );
}
