import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "@/lib/api-client";
import type { MarketSymbol } from "@/lib/api-types";
import { storedSpanOf } from "@/lib/stored-span";
import { symbolKey, symbolLabel } from "@/lib/symbol-ref";
import { useCreateBacktest } from "../api/create-backtest";
import { useCreateSweep } from "../api/create-sweep";
import type { CatalogStrategy } from "../api/types";
import { buildRunBody, buildSweepBody, defaultParams, errorFor, initialRunForm, type FormErrors, type RunFormState } from "../model/run-form";
import { Field } from "@/components/Field";

/** What the app's risk profile picker gets: the chosen id, how to change it, the API's error for it. */
export interface RiskPickerSlotProps {
  value: number | null;
  onChange: (id: number | null) => void;
  error: string | undefined;
}

/** The stored range of a symbol ("exchange:name") for a strategy's base timeframe. */
const spanOf = (symbols: readonly MarketSymbol[], key: string, strategy: CatalogStrategy) => storedSpanOf(symbols, key, strategy.base_timeframe);

/** The first symbol with candles of the strategy's timeframe (else the first), as a key. */
function defaultSymbolKey(symbols: readonly MarketSymbol[], strategy: CatalogStrategy): string {
  const withBase = symbols.find((s) => s.timeframes.some((t) => t.timeframe === strategy.base_timeframe && t.count > 0));
  const chosen = withBase ?? symbols[0];
  return chosen ? symbolKey(chosen) : "";
}

export function RunForm(props: {
  catalog: CatalogStrategy[];
  /** Stored symbols with their exchange and coverage (the span defaults to what is stored). */
  symbols: readonly MarketSymbol[];
  onRunCreated: (id: number) => void;
  onSweepCreated: (id: number) => void;
  /** The risk profile picker (another feature's, composed by the app); none: no profile. */
  renderRiskPicker?: ((slot: RiskPickerSlotProps) => ReactNode) | undefined;
  /** The strategy chosen first (a catalog key), else the catalog's first. */
  initialStrategy?: string | null;
}) {
  const { catalog, symbols, initialStrategy } = props;
  const first = catalog[0]!;
  const [form, setForm] = useState<RunFormState>(() => {
    const chosen = catalog.find((s) => s.key === initialStrategy) ?? first;
    const symbol = defaultSymbolKey(symbols, chosen);
    return initialRunForm(chosen.key, chosen.params, symbol, spanOf(symbols, symbol, chosen));
  });
  // The span follows the chosen symbol's stored range until the user types a date.
  const [spanTyped, setSpanTyped] = useState(false);
  const [localErrors, setLocalErrors] = useState<FormErrors>({});
  const [mode, setMode] = useState<"run" | "sweep">("run");
  const createRun = useCreateBacktest();
  const createSweep = useCreateSweep();
  const strategy = catalog.find((s) => s.key === form.strategy) ?? first;

  useEffect(() => {
    if (!form.symbol && symbols.length > 0) setForm((f) => ({ ...f, symbol: defaultSymbolKey(symbols, strategy) }));
  }, [symbols, form.symbol, strategy]);
  const stored = spanOf(symbols, form.symbol, strategy);
  useEffect(() => {
    if (spanTyped || !stored) return;
    setForm((f) => (f.start === stored.start && f.end === stored.end ? f : { ...f, start: stored.start, end: stored.end }));
  }, [spanTyped, stored?.start, stored?.end]); // eslint-disable-line react-hooks/exhaustive-deps

  // Another link's strategy while the page is open: choose it, once per link (a run's own URL has
  // none: keep the form as it is).
  const appliedFor = useRef(initialStrategy);
  useEffect(() => {
    if (appliedFor.current === initialStrategy) return;
    appliedFor.current = initialStrategy;
    const chosen = initialStrategy ? catalog.find((s) => s.key === initialStrategy) : undefined;
    if (chosen) setForm((f) => (f.strategy === chosen.key ? f : { ...f, strategy: chosen.key, params: defaultParams(chosen.params) }));
  }, [initialStrategy, catalog]);

  const mutationError = mode === "run" ? createRun.error : createSweep.error;
  const serverErrors: FormErrors = mutationError instanceof ApiError ? { ...mutationError.fieldErrors } : {};
  if (mutationError instanceof ApiError && mutationError.kind === "not-found" && mutationError.field) {
    serverErrors[mutationError.field] = mutationError.message;
  }
  const errors = { ...serverErrors, ...localErrors };
  const otherError =
    mutationError && !(mutationError instanceof ApiError && (mutationError.kind === "bad-request" || mutationError.field))
      ? mutationError.message
      : null;

  const set = <K extends keyof RunFormState>(key: K, value: RunFormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    createRun.reset();
    createSweep.reset();
    if (mode === "run") {
      const result = buildRunBody(form, strategy.params);
      setLocalErrors(result.errors ?? {});
      if (result.body) createRun.mutate(result.body, { onSuccess: (run) => props.onRunCreated(run.id) });
    } else {
      const result = buildSweepBody(form, strategy.params);
      setLocalErrors(result.errors ?? {});
      if (result.body) createSweep.mutate(result.body, { onSuccess: (sweep) => props.onSweepCreated(sweep.id) });
    }
  };

  const byProfile = form.riskProfile !== null;
  const profileHint = byProfile ? "set by the risk profile" : undefined;
  const busy = createRun.isPending || createSweep.isPending;
  return (
    <form className="bt-card bt-form" onSubmit={submit} data-testid="run-form" noValidate>
      <div className="bt-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === "run"} className={mode === "run" ? "active" : ""} onClick={() => setMode("run")} data-testid="mode-run">
          New run
        </button>
        <button type="button" role="tab" aria-selected={mode === "sweep"} className={mode === "sweep" ? "active" : ""} onClick={() => setMode("sweep")} data-testid="mode-sweep">
          Sweep
        </button>
      </div>
      <Field label="Strategy" error={errors.strategy}>
        <select
          data-testid="strategy-select"
          value={form.strategy}
          onChange={(e) => {
            const next = catalog.find((s) => s.key === e.target.value) ?? first;
            setForm((f) => ({ ...f, strategy: next.key, params: defaultParams(next.params) }));
            setLocalErrors({});
          }}
        >
          {catalog.map((s) => (
            <option key={s.key} value={s.key}>
              {s.name} ({s.key})
            </option>
          ))}
        </select>
      </Field>
      <p className="muted small">{strategy.description}</p>
      {mode === "sweep" && <p className="muted small">Sweep: give one or more parameters comma-separated values (e.g. 6, 12, 24).</p>}
      {errors.grid && <p className="bt-error">{errors.grid}</p>}
      {errors.params && <p className="bt-error">{errors.params}</p>}
      <div className="bt-grid">
        {strategy.params.map((param) => (
          <Field
            key={param.name}
            label={param.name}
            hint={`${param.description}${param.minimum !== null ? `; ${param.minimum}` : ""}${param.maximum !== null ? `–${param.maximum}` : ""}`}
            error={errorFor(errors, `params.${param.name}`, `grid.${param.name}`, param.name)}
          >
            <input
              data-testid={`param-${param.name}`}
              name={param.name}
              type={mode === "run" ? "number" : "text"}
              inputMode="decimal"
              min={param.minimum ?? undefined}
              max={param.maximum ?? undefined}
              step={param.type === "integer" ? 1 : "any"}
              value={form.params[param.name] ?? ""}
              onChange={(e) => setForm((f) => ({ ...f, params: { ...f.params, [param.name]: e.target.value } }))}
            />
          </Field>
        ))}
        <Field label="Symbol" error={errors.symbol ?? errors.exchange}>
          <select
            data-testid="bt-symbol"
            value={form.symbol}
            onChange={(e) => {
              set("symbol", e.target.value);
              setSpanTyped(false);
            }}
          >
            {symbols.map((s) => (
              <option key={symbolKey(s)} value={symbolKey(s)}>
                {symbolLabel(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Start (UTC)" error={errors.start}>
          <input data-testid="bt-start" type="text" inputMode="numeric" placeholder="YYYY-MM-DD HH:MM" spellCheck={false} value={form.start} onChange={(e) => { set("start", e.target.value); setSpanTyped(true); }} />
        </Field>
        <Field label="End (UTC, excluded)" error={errors.end}>
          <input data-testid="bt-end" type="text" inputMode="numeric" placeholder="YYYY-MM-DD HH:MM" spellCheck={false} value={form.end} onChange={(e) => { set("end", e.target.value); setSpanTyped(true); }} />
        </Field>
        <p className="muted small bt-span-hint" data-testid="bt-stored-span">
          {stored
            ? `Stored ${strategy.base_timeframe} candles: ${stored.start} → ${stored.end} UTC (${stored.count.toLocaleString("en-US")}).`
            : `No ${strategy.base_timeframe} candles of this symbol are stored.`}
          {spanTyped && stored && (
            <>
              {" "}
              <button type="button" className="link-button" data-testid="bt-span-stored" onClick={() => setSpanTyped(false)}>
                Use the stored range
              </button>
            </>
          )}
        </p>
        <Field label="Fee %" error={errors.fee_rate}>
          <input data-testid="bt-fee" type="number" step="any" min={0} value={form.feePercent} onChange={(e) => set("feePercent", e.target.value)} />
        </Field>
        <Field label="Slippage bps" error={errors.slippage_bps}>
          <input data-testid="bt-slippage" type="number" step="any" min={0} value={form.slippageBps} onChange={(e) => set("slippageBps", e.target.value)} />
        </Field>
        <Field label="Size (fraction of equity)" error={errors.size} hint={profileHint}>
          <input data-testid="bt-size" type="number" step="any" min={0} disabled={byProfile} placeholder={byProfile ? "by profile" : ""} value={byProfile ? "" : form.size} onChange={(e) => set("size", e.target.value)} />
        </Field>
        <Field label="Stop-loss %" error={errors.stop_loss} hint={profileHint}>
          <input data-testid="bt-stop-loss" type="number" step="any" min={0} disabled={byProfile} placeholder={byProfile ? "by profile" : "none"} value={byProfile ? "" : form.stopLossPercent} onChange={(e) => set("stopLossPercent", e.target.value)} />
        </Field>
        <Field label="Take-profit %" error={errors.take_profit} hint={profileHint}>
          <input data-testid="bt-take-profit" type="number" step="any" min={0} disabled={byProfile} placeholder={byProfile ? "by profile" : "none"} value={byProfile ? "" : form.takeProfitPercent} onChange={(e) => set("takeProfitPercent", e.target.value)} />
        </Field>
      </div>
      {props.renderRiskPicker?.({ value: form.riskProfile, onChange: (id) => set("riskProfile", id), error: errors.risk_profile })}
      <label className="bt-check">
        <input data-testid="bt-allow-short" type="checkbox" checked={form.allowShort} onChange={(e) => set("allowShort", e.target.checked)} />
        Allow short
        {errors.allow_short && <span className="bt-error">{errors.allow_short}</span>}
      </label>
      {otherError && <p className="bt-error" data-testid="run-form-error">{otherError}</p>}
      <button className="button" type="submit" disabled={busy} data-testid="run-submit">
        {busy ? "Queuing…" : mode === "run" ? "Run backtest" : "Run sweep"}
      </button>
    </form>
  );
}

