import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { Spinner } from "@/components/Spinner";
import { ApiError } from "@/lib/api-client";
import { useCreateBacktest } from "../api/create-backtest";
import { useStrategyCatalog } from "../api/get-catalog";
import type { BacktestRun, StrategyParamSchema } from "../api/types";
import type { RunRequestBody } from "../model/run-form";
import { paramError, paramTexts, rerunBody } from "../model/rerun";
import { ErrorText } from "./ErrorText";

/** The strategy's parameters from the chart: change them and run the same backtest again (the
 * new run opens); the API's 400 shows under the inputs. */
export function ParamsEditor({ run, onClose }: { run: BacktestRun; onClose: () => void }) {
  const catalog = useStrategyCatalog();
  if (catalog.error) return <ErrorText error={catalog.error} />;
  if (!catalog.data) return <Spinner label="Loading the strategy's parameters…" />;
  const entry = catalog.data.find((s) => s.key === run.strategy);
  if (!entry) return <p className="bt-error">The strategy {run.strategy} is no longer in the catalog.</p>;
  return <ParamsForm run={run} schema={entry.params} onClose={onClose} />;
}

function ParamsForm({ run, schema, onClose }: { run: BacktestRun; schema: StrategyParamSchema[]; onClose: () => void }) {
  const [texts, setTexts] = useState(() => paramTexts(run, schema));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const create = useCreateBacktest();
  const navigate = useNavigate();
  const apiError = create.error instanceof ApiError ? create.error : null;
  const errors = { ...(apiError?.fieldErrors ?? {}), ...localErrors };
  const shownNames = new Set(schema.flatMap((p) => [`params.${p.name}`, p.name]));
  // Errors of fields the form has no input for (params as a whole, the span, ...) in words.
  const otherErrors = Object.entries(errors).filter(([name]) => !shownNames.has(name));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = rerunBody(run, texts, schema);
    setLocalErrors(result.errors ?? {});
    if (!result.body) return;
    // The API takes the run form's body with the run's exchange and capital besides.
    create.mutate(result.body as unknown as RunRequestBody, { onSuccess: (created) => navigate(`/backtests/${created.id}`) });
  };

  return (
    <form className="bt-params-editor" data-testid="params-editor" onSubmit={submit} noValidate>
      <div className="bt-params-editor__fields">
        {schema.map((param) => {
          const error = paramError(errors, param.name);
          return (
            <label key={param.name} className="field">
              <span title={param.description}>{param.name}</span>
              <input
                type="number"
                inputMode="decimal"
                data-testid={`edit-param-${param.name}`}
                value={texts[param.name] ?? ""}
                min={param.minimum}
                max={param.maximum}
                step={param.type === "integer" ? 1 : "any"}
                aria-invalid={error !== undefined}
                onChange={(e) => setTexts((t) => ({ ...t, [param.name]: e.target.value }))}
              />
              {error && (
                <span className="bt-error small" data-testid={`edit-param-error-${param.name}`}>
                  {error}
                </span>
              )}
            </label>
          );
        })}
      </div>
      {otherErrors.map(([name, text]) => (
        <p key={name} className="bt-error small">
          {name}: {text}
        </p>
      ))}
      {create.error && Object.keys(apiError?.fieldErrors ?? {}).length === 0 && <ErrorText error={create.error} />}
      <div className="bt-params-editor__actions">
        <button type="submit" className="button" data-testid="rerun-submit" disabled={create.isPending}>
          {create.isPending ? "Queuing…" : "Run again with these"}
        </button>
        <button type="button" className="button button--ghost" onClick={onClose}>
          Close
        </button>
        <span className="muted small">Same symbol, span, costs and sizing; a new run opens.</span>
      </div>
    </form>
  );
}
