import { useEffect, useState } from "react";
import { Field } from "@/components/Field";
import type { MarketSymbol } from "@/lib/api-types";
import { ApiError } from "@/lib/api-client";
import { storedSpanOf } from "@/lib/stored-span";
import { symbolKey, symbolLabel } from "@/lib/symbol-ref";
import { useCreateStudy, useCreateWalkForward, useOptimisationCatalog } from "../api/studies";
import { buildStudyBody, buildWalkForwardBody, defaultRanges, OBJECTIVES, SAMPLERS, type StudyForm as FormState } from "../model/study-form";

type Kind = "study" | "walk-forward";

/** A study or a walk-forward: strategy, searched ranges (inside each parameter's bounds), symbol,
 * span, objective, sampler, trials; the API's 400 field errors under the fields. */
export function StudyForm(props: { symbols: MarketSymbol[]; onStudy: (id: number) => void; onWalkForward: (id: number) => void }) {
  const catalog = useOptimisationCatalog();
  const createStudy = useCreateStudy();
  const createWalk = useCreateWalkForward();
  const [kind, setKind] = useState<Kind>("study");
  const [form, setForm] = useState<FormState | null>(null);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    if (form || !catalog.data?.length || !props.symbols.length) return;
    const strategy = catalog.data.find((s) => s.key === "hma-sma") ?? catalog.data[0]!;
    // The first symbol with the strategy's candles, over what is stored of them.
    const symbol = props.symbols.find((s) => s.timeframes.some((t) => t.timeframe === strategy.base_timeframe && t.count > 0)) ?? props.symbols[0]!;
    const span = storedSpanOf(props.symbols, symbolKey(symbol), strategy.base_timeframe);
    setForm({
      strategy: strategy.key,
      symbol: symbolKey(symbol),
      start: span?.start ?? "",
      end: span?.end ?? "",
      objective: "sharpe",
      sampler: "tpe",
      nTrials: "50",
      minTrades: "5",
      feePercent: "0.1",
      ranges: defaultRanges(strategy.params),
      mode: "rolling",
      inSampleDays: "10",
      outOfSampleDays: "5",
    });
  }, [catalog.data, props.symbols, form]);

  if (!form || !catalog.data) return <p className="muted">{catalog.error ? "Cannot read the strategies." : "Loading strategies…"}</p>;
  const strategy = catalog.data.find((s) => s.key === form.strategy) ?? catalog.data[0]!;
  const mutation = kind === "study" ? createStudy : createWalk;
  const serverErrors = mutation.error instanceof ApiError ? mutation.error.fieldErrors : {};
  const errors: Record<string, string> = { ...serverErrors, ...localErrors };
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm({ ...form, [key]: value });

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (kind === "study") {
      const result = buildStudyBody(form, strategy.params);
      setLocalErrors(result.errors ?? {});
      if (result.body) createStudy.mutate(result.body, { onSuccess: (s) => props.onStudy(s.id) });
    } else {
      const result = buildWalkForwardBody(form, strategy.params);
      setLocalErrors(result.errors ?? {});
      if (result.body) createWalk.mutate(result.body, { onSuccess: (w) => props.onWalkForward(w.id) });
    }
  };
  const other = mutation.error && !(mutation.error instanceof ApiError && Object.keys(serverErrors).length) ? mutation.error.message : null;

  return (
    <form className="bt-card bt-form" onSubmit={submit} data-testid="study-form" noValidate>
      <div className="bt-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={kind === "study"} className={kind === "study" ? "active" : ""} onClick={() => setKind("study")} data-testid="kind-study">
          Study
        </button>
        <button type="button" role="tab" aria-selected={kind === "walk-forward"} className={kind === "walk-forward" ? "active" : ""} onClick={() => setKind("walk-forward")} data-testid="kind-walk-forward">
          Walk-forward
        </button>
      </div>
      <Field label="Strategy" error={errors.strategy}>
        <select
          data-testid="opt-strategy"
          value={form.strategy}
          onChange={(e) => {
            const next = catalog.data.find((s) => s.key === e.target.value) ?? strategy;
            setForm({ ...form, strategy: next.key, ranges: defaultRanges(next.params) });
          }}
        >
          {catalog.data.map((s) => (
            <option key={s.key} value={s.key}>
              {s.name} ({s.key})
            </option>
          ))}
        </select>
      </Field>
      {errors.space && <p className="bt-error" data-testid="field-error">{errors.space}</p>}
      <table className="bt-table opt-ranges" data-testid="opt-ranges">
        <thead>
          <tr>
            <th>search</th>
            <th>low</th>
            <th>high</th>
            <th>step</th>
          </tr>
        </thead>
        <tbody>
          {strategy.params.map((p) => {
            const row = form.ranges[p.name]!;
            const update = (patch: Partial<typeof row>) => set("ranges", { ...form.ranges, [p.name]: { ...row, ...patch } });
            return (
              <tr key={p.name} title={`${p.description} (${p.minimum ?? "…"}–${p.maximum ?? "…"})`}>
                <td>
                  <label>
                    <input type="checkbox" checked={row.searched} onChange={(e) => update({ searched: e.target.checked })} data-testid={`range-${p.name}-searched`} /> {p.name}
                  </label>
                  {errors[`space.${p.name}`] && <span className="bt-error" data-testid="field-error">{errors[`space.${p.name}`]}</span>}
                </td>
                {(["low", "high", "step"] as const).map((key) => (
                  <td key={key}>
                    <input className="opt-range-input" aria-label={`${p.name} ${key}`} data-testid={`range-${p.name}-${key}`} type="number" step="any" value={row[key]} disabled={!row.searched} onChange={(e) => update({ [key]: e.target.value })} />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="bt-grid">
        <Field label="Symbol" error={errors.symbol ?? errors.exchange}>
          <select
            data-testid="opt-symbol"
            value={form.symbol}
            onChange={(e) => {
              // A symbol's span follows it (what is stored of the strategy's timeframe).
              const span = storedSpanOf(props.symbols, e.target.value, strategy.base_timeframe);
              setForm({ ...form, symbol: e.target.value, ...(span ? { start: span.start, end: span.end } : {}) });
            }}
          >
            {props.symbols.map((s) => (
              <option key={symbolKey(s)} value={symbolKey(s)}>
                {symbolLabel(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Objective" error={errors.objective}>
          <select data-testid="opt-objective" value={form.objective} onChange={(e) => set("objective", e.target.value)}>
            {OBJECTIVES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Start (UTC)" error={errors.start}>
          <input data-testid="opt-start" type="text" placeholder="YYYY-MM-DD HH:MM" spellCheck={false} value={form.start} onChange={(e) => set("start", e.target.value)} />
        </Field>
        <Field label="End (UTC, excluded)" error={errors.end}>
          <input data-testid="opt-end" type="text" placeholder="YYYY-MM-DD HH:MM" spellCheck={false} value={form.end} onChange={(e) => set("end", e.target.value)} />
        </Field>
        <Field label="Sampler" error={errors.sampler}>
          <select data-testid="opt-sampler" value={form.sampler} onChange={(e) => set("sampler", e.target.value)}>
            {SAMPLERS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label={kind === "study" ? "Trials" : "Trials per window"} error={errors.n_trials}>
          <input data-testid="opt-trials" type="number" min={1} value={form.nTrials} onChange={(e) => set("nTrials", e.target.value)} />
        </Field>
        <Field label="Minimum trades" hint="trials with fewer trades are pruned" error={errors.min_trades}>
          <input data-testid="opt-min-trades" type="number" min={0} value={form.minTrades} onChange={(e) => set("minTrades", e.target.value)} />
        </Field>
        <Field label="Fee %" error={errors.fee_rate}>
          <input data-testid="opt-fee" type="number" step="any" min={0} value={form.feePercent} onChange={(e) => set("feePercent", e.target.value)} />
        </Field>
        {kind === "walk-forward" && (
          <>
            <Field label="Windows" error={errors.mode}>
              <select data-testid="opt-mode" value={form.mode} onChange={(e) => set("mode", e.target.value as FormState["mode"])}>
                <option value="rolling">rolling</option>
                <option value="anchored">anchored</option>
              </select>
            </Field>
            <Field label="In-sample days" error={errors.in_sample ?? errors.in_sample_hours}>
              <input data-testid="opt-in-sample" type="number" step="any" min={0} value={form.inSampleDays} onChange={(e) => set("inSampleDays", e.target.value)} />
            </Field>
            <Field label="Out-of-sample days (and step)" error={errors.out_of_sample ?? errors.step ?? errors.out_of_sample_hours}>
              <input data-testid="opt-out-of-sample" type="number" step="any" min={0} value={form.outOfSampleDays} onChange={(e) => set("outOfSampleDays", e.target.value)} />
            </Field>
          </>
        )}
      </div>
      {other && <p className="bt-error" data-testid="error-message">{other}</p>}
      <button type="submit" className="button" disabled={mutation.isPending} data-testid="opt-submit">
        {kind === "study" ? "Start study" : "Start walk-forward"}
      </button>
    </form>
  );
}
