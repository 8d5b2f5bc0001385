import type { MarketSymbol } from "@/lib/api-types";
import { useStudies, useWalkForwards } from "../api/studies";
import { useStudyEvents } from "../api/study-events";
import { progressLine } from "../model/study-view";
import { StudyForm } from "./StudyForm";
import { StudyView } from "./StudyView";
import { WalkForwardView } from "./WalkForwardView";

export type OptimisationSelection = { kind: "study" | "walk-forward"; id: number } | null;

/** The form and the lists on the left, the selected study or walk-forward on the right. */
export function OptimisationView(props: {
  symbols: MarketSymbol[];
  selection: OptimisationSelection;
  onSelect: (selection: OptimisationSelection) => void;
  onBot: (botId: number) => void;
}) {
  useStudyEvents();
  const studies = useStudies();
  const walks = useWalkForwards();
  const { selection, onSelect } = props;
  return (
    <div className="bt-page opt-page" data-testid="optimisation-page">
      <aside className="bt-side">
        <StudyForm symbols={props.symbols} onStudy={(id) => onSelect({ kind: "study", id })} onWalkForward={(id) => onSelect({ kind: "walk-forward", id })} />
        <div className="bt-card" data-testid="walk-forwards-list">
          <h3>Your walk-forwards</h3>
          {walks.data?.results.length === 0 && <p className="muted small">None yet.</p>}
          <ul className="opt-list">
            {walks.data?.results.map((w) => (
              <li key={w.id}>
                <button className="link-button" onClick={() => onSelect({ kind: "walk-forward", id: w.id })}>
                  #{w.id} {w.strategy} {w.symbol} · {w.mode} · {w.windows.length} windows · {w.status}
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div className="bt-card" data-testid="studies-list">
          <h3>Your studies</h3>
          {studies.data?.results.length === 0 && <p className="muted small">None yet.</p>}
          <ul className="opt-list">
            {studies.data?.results.map((s) => (
              <li key={s.id}>
                <button className="link-button" onClick={() => onSelect({ kind: "study", id: s.id })}>
                  #{s.id} {s.strategy} {s.symbol}
                  {s.window !== null && ` · window ${s.window + 1}`} · {progressLine(s)} · {s.status}
                </button>
              </li>
            ))}
          </ul>
        </div>
      </aside>
      <section className="bt-main">
        {selection?.kind === "study" && <StudyView id={selection.id} onBot={props.onBot} />}
        {selection?.kind === "walk-forward" && <WalkForwardView id={selection.id} onStudy={(id) => onSelect({ kind: "study", id })} />}
        {!selection && (
          <p className="muted">
            Start a study (a parameter search, spread over the backtest workers) or a walk-forward (each in-sample window optimised, its best parameters traded on the next
            out-of-sample window). Each study says how much of its best result chance alone would explain.
          </p>
        )}
      </section>
    </div>
  );
}
