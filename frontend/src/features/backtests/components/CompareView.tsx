import { useMemo } from "react";
import { Spinner } from "@/components/Spinner";
import { useComparedRuns } from "../api/get-compare";
import type { BacktestRun } from "../api/types";
import { bestIndex, normaliseEquity } from "../model/compare";
import { formatKpi, KPI_DEFINITIONS } from "../model/kpi-format";
import { profileNameOf } from "../model/risk-summary";
import { CompareChart, type ComparedCurve } from "./CompareChart";
import { ErrorText } from "./ErrorText";
import { formatEpoch } from "./time";

/** One colour per compared run (the chart's line, the column's mark): distinct on the dark theme. */
const RUN_COLORS = ["#4fa3ff", "#f5c542", "#c77dff", "#26c6a6", "#ff8a65", "#f06292", "#9ccc65", "#90a4ae"];

// KPIs where less is better (a drawdown is a positive fraction of the peak).
const LOWER_IS_BETTER = new Set(["max_drawdown", "max_drawdown_duration_ms", "fees_paid"]);
// Counts and exposure are context, not a score: no "best" is marked.
const UNRANKED = new Set(["number_of_trades", "exposure", "final_equity", "buy_and_hold_return", "average_trade_duration_ms"]);

/** Two or more runs side by side: their settings and KPIs in columns (the best of each KPI
 * marked), and their equity curves overlaid in percent from each run's starting capital. */
export function CompareView({ ids, onOpenRun }: { ids: number[]; onOpenRun: (id: number) => void }) {
  const { runs, equity } = useComparedRuns(ids);
  const failed = runs.find((q) => q.error);
  const loaded = runs.map((q) => q.data).filter((run): run is BacktestRun => run !== undefined);
  const equityData = equity.map((q) => q.data);
  // Redrawn only when a run or a curve arrives: the queries' data keep their identity otherwise.
  const arrived = `${loaded.map((run) => run.id).join()}|${equityData.map((data) => data?.points ?? "-").join()}`;
  const curves = useMemo<ComparedCurve[]>(
    () =>
      loaded.flatMap((run, i) => {
        const points = equityData[i]?.equity;
        return points ? [{ runId: run.id, color: RUN_COLORS[i % RUN_COLORS.length]!, points: normaliseEquity(points, run.initial_capital) }] : [];
      }),
    [arrived],
  );
  if (ids.length < 2) return <p className="muted">Tick two or more runs in “Your runs” and press Compare.</p>;
  if (failed?.error) return <ErrorText error={failed.error} />;
  if (loaded.length < ids.length) return <Spinner label="Loading the runs…" />;
  return (
    <section className="bt-run bt-compare" data-testid="compare-view" data-runs={ids.join(",")}>
      <header className="bt-run__header">
        <h2>Comparing {ids.length} runs</h2>
        <span className="muted small">Equity in percent from each run's starting capital; the best value of each KPI is marked ★.</span>
      </header>
      {curves.length > 0 ? <CompareChart curves={curves} /> : <Spinner label="Loading the equity curves…" />}
      <div className="bt-table-wrap bt-table-wrap--sticky" role="region" aria-label="KPIs of the compared runs" tabIndex={0}>
        <table className="bt-table bt-compare__table" data-testid="compare-table">
          <thead>
            <tr>
              <th scope="col">KPI</th>
              {loaded.map((run, i) => (
                <th key={run.id} scope="col" data-run-id={run.id}>
                  <span className="swatch" style={{ background: RUN_COLORS[i % RUN_COLORS.length] }} aria-hidden="true" />
                  <button type="button" className="bt-link" onClick={() => onOpenRun(run.id)}>
                    Run #{run.id}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <SettingRow label="Strategy" runs={loaded} value={(run) => run.strategy_name} />
            <SettingRow label="Symbol" runs={loaded} value={(run) => `${run.symbol} ${run.timeframe} · ${run.exchange}`} />
            <SettingRow label="Span" runs={loaded} value={(run) => `${formatEpoch(run.start)} → ${formatEpoch(run.end)}`} />
            <SettingRow label="Parameters" runs={loaded} value={(run) => Object.entries(run.params).map(([k, v]) => `${k}=${v}`).join(" ")} />
            <SettingRow label="Sizing" runs={loaded} value={sizing} />
            <SettingRow label="Status" runs={loaded} value={(run) => run.status} />
            {KPI_DEFINITIONS.map((def) => {
              const values = loaded.map((run) => run.kpis?.[def.key] ?? null);
              const best = UNRANKED.has(def.key) ? null : bestIndex(values, LOWER_IS_BETTER.has(def.key));
              return (
                <tr key={def.key} data-kpi={def.key}>
                  <th scope="row">{def.label}</th>
                  {values.map((value, i) => (
                    <td key={loaded[i]!.id} className={i === best ? "bt-best" : undefined}>
                      {formatKpi(value, def.kind)}
                      {i === best && (
                        <>
                          <span aria-hidden="true"> ★</span>
                          <span className="visually-hidden"> (best)</span>
                        </>
                      )}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** What sized the entries: the risk profile (by name) or the fixed fraction, and the stops. */
function sizing(run: BacktestRun): string {
  const profile = profileNameOf(run.risk_limits);
  const stops = [run.stop_loss !== null && `SL ${formatKpi(run.stop_loss, "percent")}`, run.take_profit !== null && `TP ${formatKpi(run.take_profit, "percent")}`];
  return [profile !== null ? `risk profile “${profile}”` : `size ${run.size}`, ...stops.filter(Boolean)].join(" · ");
}

function SettingRow({ label, runs, value }: { label: string; runs: BacktestRun[]; value: (run: BacktestRun) => string }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      {runs.map((run) => (
        <td key={run.id} className="text-left">
          {value(run)}
        </td>
      ))}
    </tr>
  );
}
