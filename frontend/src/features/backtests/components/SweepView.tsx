import { useState } from "react";
import { Spinner } from "@/components/Spinner";
import { useSweep } from "../api/get-sweep";
import { COMPARE_MAX_RUNS } from "../model/compare";
import { formatKpi, KPI_DEFINITIONS } from "../model/kpi-format";
import { blockedTotal, profileNameOf } from "../model/risk-summary";
import { ErrorText } from "./ErrorText";
import { activateOnKey } from "./row-keys";
import { formatEpoch } from "./time";

const SWEEP_COLUMNS = KPI_DEFINITIONS.filter((def) =>
  ["total_return", "sharpe", "sortino", "max_drawdown", "number_of_trades", "win_rate", "profit_factor", "final_equity"].includes(def.key),
);

/** A sweep's runs in a table sorted server-side (`?order=`) by the KPI column clicked; its first
 * done runs in that order can be compared side by side. */
export function SweepView({ id, onOpenRun, onCompare }: { id: number; onOpenRun: (id: number) => void; onCompare?: (ids: number[]) => void }) {
  const [order, setOrder] = useState("-sharpe");
  const sweep = useSweep(id, order);
  if (sweep.error) return <ErrorText error={sweep.error} />;
  if (!sweep.data) return <Spinner label={`Loading sweep #${id}…`} />;
  const data = sweep.data;
  const paramNames = Object.keys(data.grid).concat(Object.keys(data.params));
  const profile = profileNameOf(data.risk_limits);
  const sortBy = (key: string) => setOrder(order === `-${key}` ? key : `-${key}`);
  const firstDone = data.runs.filter((run) => run.status === "done").slice(0, COMPARE_MAX_RUNS).map((run) => run.id);
  return (
    <section className="bt-run" data-testid="sweep-view" data-status={data.status}>
      <header className="bt-run__header">
        <h2>
          Sweep #{data.id} · {data.strategy} · {data.symbol} {data.timeframe}
        </h2>
        <span className="muted small">
          {formatEpoch(data.start)} → {formatEpoch(data.end)} · grid {Object.entries(data.grid).map(([k, v]) => `${k}=[${v.join(", ")}]`).join(" ")} ·{" "}
          {data.counts.done} done, {data.counts.running} running, {data.counts.queued} queued, {data.counts.failed} failed
          {data.skipped.length > 0 && ` · ${data.skipped.length} combinations skipped`}
          {profile && ` · risk profile “${profile}”`}
        </span>
        {onCompare && firstDone.length >= 2 && (
          <div className="bt-actions">
            <button type="button" className="button button--ghost button--small" data-testid="sweep-compare" onClick={() => onCompare(firstDone)}>
              Compare the first {firstDone.length} done runs
            </button>
          </div>
        )}
        {sweep.isFetching && <Spinner label="Updating…" />}
      </header>
      <div className="bt-table-wrap bt-table-wrap--sticky">
        <table className="bt-table bt-sweep-table" data-testid="sweep-table" data-order={data.order}>
          <thead>
            <tr>
              <th scope="col">Run</th>
              {paramNames.map((name) => (
                <th key={name}>{name}</th>
              ))}
              <th>Status</th>
              {profile && <th title="entry signals the risk profile refused">Blocked</th>}
              {SWEEP_COLUMNS.map((col) => (
                <th key={col.key}>
                  <button type="button" className="bt-sort" data-testid={`sort-${col.key}`} onClick={() => sortBy(col.key)}>
                    {col.label}
                    {order === `-${col.key}` ? " ▼" : order === col.key ? " ▲" : ""}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.runs.map((run) => (
              <tr
                key={run.id}
                tabIndex={0}
                className="bt-row bt-clickable"
                onClick={() => onOpenRun(run.id)}
                onKeyDown={activateOnKey(() => onOpenRun(run.id))}
                data-testid="sweep-row"
                data-run-id={run.id}
              >
                <td>{run.id}</td>
                {paramNames.map((name) => (
                  <td key={name}>{run.params[name] ?? data.params[name]}</td>
                ))}
                <td title={run.error}>{run.status}</td>
                {profile && <td data-testid="sweep-blocked">{blockedTotal(run.risk_report)?.toLocaleString("en-US") ?? "—"}</td>}
                {SWEEP_COLUMNS.map((col) => (
                  <td key={col.key}>{formatKpi(run.kpis?.[col.key], col.kind)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
