import type { ValidSource } from "../api/types";
import type { EditorValidation } from "../editor/StrategyEditor";
import { formatRange, formatStops, formatWarmup } from "../model/workspace";

/**
 * What the validate endpoint derived from the text: timeframes, warm-up, stops and the parameter
 * schema (what the backtest and bot forms will ask for). While the text is being checked or has
 * errors, the last valid text's facts stay, dimmed and said to be older.
 */
export function DerivedFacts({ valid, lastValid, validation }: { valid: ValidSource | null; lastValid: ValidSource | null; validation: EditorValidation["kind"] }) {
  const shown = valid ?? lastValid;
  const stale = valid === null && lastValid !== null;
  return (
    <div className={`strategy-facts${stale ? " strategy-facts--stale" : ""}`} data-testid="strategy-facts" data-state={valid ? "valid" : stale ? "stale" : "none"}>
      <h2>Parameters</h2>
      {!shown && (
        <p className="muted small">
          {validation === "invalid" ? "Fix the problems under the editor to see what the strategy declares." : "Checking the text…"}
        </p>
      )}
      {stale && <p className="muted small">As of the last valid text{validation === "invalid" ? " (the current one has problems)" : ""}.</p>}
      {shown && (
        <>
          {shown.params.length === 0 ? (
            <p className="muted small">No parameters: declare one with <code>param name = 12 in 5..50</code>.</p>
          ) : (
            <table className="bt-table strategy-params" data-testid="param-schema">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Default</th>
                  <th>Range</th>
                  <th className="text-left">Type</th>
                </tr>
              </thead>
              <tbody>
                {shown.params.map((param) => (
                  <tr key={param.name} data-testid="param-schema-row" data-param={param.name} title={param.description || undefined}>
                    <td>
                      <code>{param.name}</code>
                    </td>
                    <td>{param.default}</td>
                    <td>{formatRange(param)}</td>
                    <td className="text-left">{param.type === "integer" ? "whole number" : "number"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <dl className="fields strategy-facts__list">
            <dt>Timeframe</dt>
            <dd data-testid="fact-timeframe">{shown.base_timeframe}</dd>
            <dt>Other timeframes</dt>
            <dd>{shown.context_timeframes.length ? shown.context_timeframes.join(", ") : "none"}</dd>
            <dt>Warm-up</dt>
            <dd>{formatWarmup(shown.base_timeframe, shown.warmup)}</dd>
            <dt>Stops</dt>
            <dd>{formatStops(shown.stops)}</dd>
            {shown.lines && shown.lines.length > 0 && (
              <>
                <dt>Named series</dt>
                <dd>{shown.lines.join(", ")}</dd>
              </>
            )}
          </dl>
        </>
      )}
    </div>
  );
}
