import { Spinner } from "@/components/Spinner";
import { useBacktests } from "../api/get-backtests";
import { formatKpi } from "../model/kpi-format";
import { ErrorText } from "./ErrorText";
import { formatEpoch } from "./time";

export function RunsList(props: { selectedId: number | null; onOpen: (id: number) => void; onOpenSweep: (id: number) => void }) {
  const runs = useBacktests();
  if (runs.error) return <ErrorText error={runs.error} />;
  if (!runs.data) return <Spinner label="Loading your runs…" />;
  return (
    <div className="bt-card bt-runs">
      <h3>
        Your runs <span className="muted small">({runs.data.count})</span>
      </h3>
      {runs.data.results.length === 0 && <p className="muted small">No runs yet.</p>}
      <div className="bt-table-wrap">
        <table className="bt-table bt-runs-table" data-testid="runs-list">
          <thead>
            <tr>
              <th>#</th>
              <th>Strategy</th>
              <th>Span</th>
              <th>Status</th>
              <th>Return</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.results.map((run) => (
              <tr
                key={run.id}
                className={`bt-clickable${run.id === props.selectedId ? " selected" : ""}`}
                data-testid="runs-list-row"
                data-run-id={run.id}
                onClick={() => props.onOpen(run.id)}
              >
                <td>{run.id}</td>
                <td>
                  <span title={run.strategy}>{run.strategy_name}</span> {run.symbol}
                  {run.sweep !== null && (
                    <button
                      type="button"
                      className="bt-link"
                      onClick={(e) => {
                        e.stopPropagation();
                        props.onOpenSweep(run.sweep!);
                      }}
                    >
                      sweep {run.sweep}
                    </button>
                  )}
                </td>
                <td className="small" title={`${formatEpoch(run.start)} → ${formatEpoch(run.end)}`}>
                  {formatEpoch(run.start).slice(2)} → {formatEpoch(run.end).slice(5)}
                </td>
                <td>{run.status}</td>
                <td>{formatKpi(run.kpis?.total_return, "percent")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
