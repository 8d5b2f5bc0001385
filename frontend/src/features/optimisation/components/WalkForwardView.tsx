import { Spinner } from "@/components/Spinner";
import { useWalkForward } from "../api/studies";
import { OosChart } from "./OosChart";

function fmt(value: unknown, percent = false): string {
  if (typeof value !== "number") return "–";
  return percent ? `${(value * 100).toFixed(2)}%` : value.toFixed(3);
}

interface Results {
  out_of_sample: Record<string, number | null>;
  in_sample: Record<string, number | null>;
  walk_forward_efficiency: number | null;
  stability: Record<string, { values: number[]; spread: number | null }>;
}

/** A walk-forward: its windows and their studies, then the stitched out-of-sample curve with the
 * windows marked, its KPIs next to the in-sample ones, the efficiency and the parameters' stability. */
export function WalkForwardView({ id, onStudy }: { id: number; onStudy: (id: number) => void }) {
  const walk = useWalkForward(id);
  if (walk.error) return <p className="bt-error" data-testid="error-message">{walk.error.message}</p>;
  if (!walk.data) return <Spinner label={`Loading walk-forward #${id}…`} />;
  const w = walk.data;
  const results = w.results as Results | null;
  const studies = new Map(w.studies.map((s) => [s.window, s]));
  return (
    <section className="bt-run" data-testid="walk-forward-view" data-status={w.status}>
      <header className="bt-run__header">
        <h2>
          Walk-forward #{w.id} · {w.strategy} · {w.symbol} · {w.mode}
        </h2>
        <span className="muted small">
          {w.status} · in-sample {w.in_sample_hours / 24} days, out-of-sample {w.out_of_sample_hours / 24} days, step {w.step_hours / 24} days · {w.n_trials} trials per window
        </span>
        {w.error && <p className="bt-error">{w.error}</p>}
      </header>
      {results && (
        <>
          <OosChart walk={w} />
          <div className="bt-table-wrap">
          <table className="bt-table" data-testid="walk-forward-results">
            <thead>
              <tr>
                <th />
                <th>total return</th>
                <th>annualised</th>
                <th>Sharpe</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>out-of-sample (stitched)</td>
                <td>{fmt(results.out_of_sample.total_return, true)}</td>
                <td>{fmt(results.out_of_sample.cagr, true)}</td>
                <td>{fmt(results.out_of_sample.sharpe)}</td>
              </tr>
              <tr>
                <td>in-sample (mean of windows)</td>
                <td>{fmt(results.in_sample.total_return, true)}</td>
                <td>{fmt(results.in_sample.cagr, true)}</td>
                <td>{fmt(results.in_sample.sharpe)}</td>
              </tr>
            </tbody>
          </table>
          </div>
          <p data-testid="walk-forward-efficiency">
            Walk-forward efficiency: {fmt(results.walk_forward_efficiency)}
            <span className="muted small"> (annualised out-of-sample return / in-sample; undefined when in-sample did not gain)</span>
          </p>
          <p className="small" data-testid="walk-forward-stability">
            Parameter stability:{" "}
            {Object.entries(results.stability)
              .map(([name, s]) => `${name} ${s.values.join(" → ")} (spread ${fmt(s.spread)})`)
              .join("; ")}
          </p>
        </>
      )}
      <div className="bt-table-wrap">
        <table className="bt-table" data-testid="windows-table">
          <thead>
            <tr>
              <th>window</th>
              <th>in-sample</th>
              <th>out-of-sample</th>
              <th>study</th>
              <th>best in-sample</th>
              <th>out-of-sample return</th>
            </tr>
          </thead>
          <tbody>
            {w.windows.map((win) => {
              const s = studies.get(win.index);
              return (
                <tr key={win.index} data-testid="window-row">
                  <td>W{win.index + 1}</td>
                  <td>
                    {new Date(win.is_start * 1000).toISOString().slice(0, 10)} → {new Date(win.is_end * 1000).toISOString().slice(0, 10)}
                  </td>
                  <td>→ {new Date(win.oos_end * 1000).toISOString().slice(0, 10)}</td>
                  <td>
                    {s ? (
                      <button className="link-button" onClick={() => onStudy(s.id)}>
                        #{s.id} {s.status} ({s.trials_done}/{s.n_trials})
                      </button>
                    ) : (
                      "–"
                    )}
                  </td>
                  <td>{s?.best_params ? Object.entries(s.best_params as Record<string, number>).map(([k, v]) => `${k}=${v}`).join(", ") : "–"}</td>
                  <td>{fmt((s?.oos_kpis as Record<string, number | null> | null)?.total_return, true)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
