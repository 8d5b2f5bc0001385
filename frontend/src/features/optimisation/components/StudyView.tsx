import { useState } from "react";
import { Spinner } from "@/components/Spinner";
import { useImportance, useStartPaperBot, useStudy, useStudyAction, useStudyTrials } from "../api/studies";
import type { StudyDetail } from "../api/types";
import { nextOrdering, progressLine } from "../model/study-view";
import { Scatter } from "./Scatter";

const KPI_COLUMNS = ["sharpe", "sortino", "calmar", "total_return", "profit_factor", "max_drawdown", "number_of_trades", "win_rate"] as const;

function fmt(value: unknown): string {
  if (typeof value !== "number") return "–";
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** A study: progress and controls, the diagnostics in words, parameter importance, one scatter per
 * searched parameter, the trials sorted on the server by the column clicked, a paper bot in one click. */
export function StudyView({ id, onBot }: { id: number; onBot: (botId: number) => void }) {
  const study = useStudy(id);
  const [ordering, setOrdering] = useState("-value");
  const done = study.data?.trials_done;
  const trials = useStudyTrials(id, ordering, done);
  const importance = useImportance(id, done);
  const action = useStudyAction(id);
  const bot = useStartPaperBot();
  if (study.error) return <p className="bt-error" data-testid="error-message">{study.error.message}</p>;
  if (!study.data) return <Spinner label={`Loading study #${id}…`} />;
  const s = study.data;
  const params = Object.keys(s.space as object);
  const rows = trials.data?.results ?? [];
  const best = rows.length ? [...rows].filter((t) => t.state === "complete").sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity))[0]?.number ?? null : null;
  return (
    <section className="bt-run" data-testid="study-view" data-status={s.status} data-trials={s.trials_done}>
      <header className="bt-run__header">
        <h2>
          Study #{s.id} · {s.strategy} · {s.symbol} {s.timeframe}
        </h2>
        <span className="muted small" data-testid="study-progress">
          {s.status} · {progressLine(s)} · maximising {s.objective} · {s.sampler}
          {s.best_value !== null && ` · best ${s.objective} ${fmt(s.best_value)} with ${Object.entries((s.best_params ?? {}) as Record<string, number>).map(([k, v]) => `${k}=${v}`).join(", ")}`}
        </span>
        <div className="opt-actions">
          {s.status === "running" && <button className="button" onClick={() => action.mutate("pause")} data-testid="study-pause">Pause</button>}
          {s.status === "paused" && <button className="button" onClick={() => action.mutate("resume")} data-testid="study-resume">Resume</button>}
          {(s.status === "running" || s.status === "paused") && <button className="button" onClick={() => action.mutate("cancel")} data-testid="study-cancel">Cancel</button>}
          {s.best_params && (
            <button className="button" disabled={bot.isPending} onClick={() => bot.mutate(s, { onSuccess: (b) => onBot(b.id) })} data-testid="study-paper-bot">
              Start a paper bot with these parameters
            </button>
          )}
        </div>
        {s.error && <p className="bt-error">{s.error}</p>}
        {bot.error && <p className="bt-error" data-testid="error-message">{bot.error.message}</p>}
      </header>
      <Diagnostics study={s} />
      {importance.data && Object.keys(importance.data.importance).length > 0 && (
        <div className="opt-importance" data-testid="study-importance">
          <h3>Parameter importance</h3>
          {Object.entries(importance.data.importance).map(([name, share]) => (
            <div key={name} className="opt-bar">
              <span>{name}</span>
              <span className="opt-bar__fill" style={{ width: `${Math.round(share * 100)}%` }} />
              <span className="muted small">{Math.round(share * 100)}%</span>
            </div>
          ))}
        </div>
      )}
      <div className="opt-scatters">
        {params.map((p) => (
          <Scatter key={p} trials={rows} param={p} kpi={s.objective} best={best} />
        ))}
      </div>
      <div className="bt-table-wrap">
        <table className="bt-table" data-testid="trials-table" data-ordering={ordering}>
          <thead>
            <tr>
              <th>
                <button className="link-button" onClick={() => setOrdering(nextOrdering(ordering, "number"))}>#</button>
              </th>
              <th>state</th>
              {params.map((p) => (
                <th key={p}>{p}</th>
              ))}
              {KPI_COLUMNS.map((k) => (
                <th key={k}>
                  <button className="link-button" data-testid={`sort-${k}`} onClick={() => setOrdering(nextOrdering(ordering, k))}>
                    {k}
                    {ordering === `-${k}` ? " ▼" : ordering === k ? " ▲" : ""}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.number} data-testid="trial-row">
                <td>{t.number}</td>
                <td>{t.state}</td>
                {params.map((p) => (
                  <td key={p}>{fmt((t.params as Record<string, number>)[p])}</td>
                ))}
                {KPI_COLUMNS.map((k) => (
                  <td key={k} data-kpi={k}>{fmt((t.kpis as Record<string, number | null> | null)?.[k])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Diagnostics({ study }: { study: StudyDetail }) {
  const d = study.diagnostics;
  if (!d) return <p className="muted small" data-testid="study-diagnostics">Diagnostics appear after two complete trials.</p>;
  return (
    <div className="opt-diagnostics" data-testid="study-diagnostics">
      <h3>Is it luck?</h3>
      {d.deflated_sharpe && (
        <p data-testid="dsr-sentence">
          {d.deflated_sharpe.sentence} <span className="muted small">(deflated Sharpe ratio {d.deflated_sharpe.dsr.toFixed(2)}; chance’s best Sharpe {d.deflated_sharpe.expected_max_sharpe.toFixed(2)})</span>
        </p>
      )}
      {d.pbo && (
        <p data-testid="pbo-sentence">
          {d.pbo.sentence} <span className="muted small">(probability of backtest overfitting {d.pbo.pbo.toFixed(2)})</span>
        </p>
      )}
    </div>
  );
}
