import { useEffect, useRef, useState, type FormEvent } from "react";
import { useCatalogRefetch } from "@/hooks/use-catalog-refetch";
import { ApiError } from "@/lib/api-client";
import { useCreateBot, useExchangeAccounts, useRiskProfiles, useStrategyCatalog, useSymbolsWithCoverage } from "../api/bots";
import type { Bot } from "../api/types";
import { buildBotBody, defaultParams, errorFor, symbolChoices, type BotFormState, type FormErrors } from "../model/bot-form";
import { Field } from "@/components/Field";

/** Create a bot: strategy and parameters from the catalog, symbol with its candles, mode,
 * account, risk profile; the API's 400 field errors under the fields. `initialStrategy` (a link's
 * `?strategy=`, the Strategies page's "Start a paper bot") is chosen first, in paper mode. */
export function BotForm({ onCreated, initialStrategy = null }: { onCreated: (bot: Bot) => void; initialStrategy?: string | null }) {
  const catalog = useStrategyCatalog();
  const symbols = useSymbolsWithCoverage();
  const profiles = useRiskProfiles();
  const accounts = useExchangeAccounts();
  const create = useCreateBot();
  const [form, setForm] = useState<BotFormState | null>(null);
  const [localErrors, setLocalErrors] = useState<FormErrors>({});
  const formRef = useRef<HTMLFormElement | null>(null);

  const { missing, waiting } = useCatalogRefetch(catalog, initialStrategy);

  // The form starts once the catalog and the symbols are known, and again for another link's strategy.
  const appliedFor = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (!catalog.data || !symbols.data || waiting) return;
    if (form && appliedFor.current === initialStrategy) return;
    const wanted = initialStrategy ? catalog.data.find((s) => s.key === initialStrategy) : undefined;
    const chosen = wanted ?? catalog.data[0];
    appliedFor.current = initialStrategy;
    if (!chosen || (form && !wanted)) return;
    const choices = symbolChoices(symbols.data, chosen.base_timeframe);
    const symbol = (choices.find((c) => c.candles > 0) ?? choices[0])?.value ?? "";
    setForm({
      name: wanted ? `${wanted.name} paper` : "",
      strategy: chosen.key,
      params: defaultParams(chosen.params),
      symbol,
      mode: "paper",
      capital: "10000",
      account: "",
      riskProfile: "",
    });
  }, [catalog.data, symbols.data, form, initialStrategy, waiting]);

  // Arriving with a strategy chosen: the form is what the page is for, bring it into view.
  const shownFor = useRef<string | null>(null);
  useEffect(() => {
    if (!initialStrategy || !form || form.strategy !== initialStrategy || shownFor.current === initialStrategy) return;
    shownFor.current = initialStrategy;
    formRef.current?.scrollIntoView({ block: "center" });
  }, [initialStrategy, form]);

  if (catalog.isError || symbols.isError) return <p className="bt-error">Could not read the strategies or the symbols: reload the page.</p>;
  if (!form || !catalog.data || !symbols.data) return <p className="muted">Loading the strategies…</p>;
  const strategy = catalog.data.find((s) => s.key === form.strategy) ?? catalog.data[0]!;
  const choices = symbolChoices(symbols.data, strategy.base_timeframe);
  const apiError = create.error;
  const serverErrors: FormErrors = apiError instanceof ApiError ? { ...apiError.fieldErrors } : {};
  if (apiError instanceof ApiError && apiError.kind === "not-found") serverErrors[apiError.field ?? "symbol"] = apiError.message;
  const errors = { ...serverErrors, ...localErrors };
  const otherError = apiError && !(apiError instanceof ApiError && (apiError.kind === "bad-request" || apiError.kind === "not-found")) ? apiError.message : null;
  const set = <K extends keyof BotFormState>(key: K, value: BotFormState[K]) => setForm((f) => (f ? { ...f, [key]: value } : f));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.reset();
    const result = buildBotBody(form, strategy.params);
    setLocalErrors(result.errors ?? {});
    if (result.body)
      create.mutate(result.body, {
        onSuccess: (bot) => {
          setForm({ ...form, name: "" });
          onCreated(bot);
        },
      });
  };

  return (
    <form ref={formRef} className="bt-card bt-form" onSubmit={submit} noValidate data-testid="bot-form" aria-label="New bot">
      <h2>New bot</h2>
      {missing && !waiting && (
        <p className="bt-error" data-testid="strategy-missing">
          The strategy {initialStrategy} is not in the catalog (deleted, or not yours).
        </p>
      )}
      <div className="bt-grid">
        <Field label="Name" error={errors.name}>
          <input data-testid="bot-name" value={form.name} onChange={(e) => set("name", e.target.value)} placeholder="e.g. BTC trend" />
        </Field>
        <Field label="Strategy" error={errors.strategy}>
          <select
            data-testid="bot-strategy"
            value={form.strategy}
            onChange={(e) => {
              const next = catalog.data!.find((s) => s.key === e.target.value) ?? strategy;
              setForm({ ...form, strategy: next.key, params: defaultParams(next.params) });
            }}
          >
            {catalog.data.map((s) => (
              <option key={s.key} value={s.key}>
                {s.name} ({s.key}, {s.base_timeframe})
              </option>
            ))}
          </select>
        </Field>
        {strategy.params.map((p) => (
          <Field key={p.name} label={p.name} hint={`${p.description} (${p.minimum ?? "…"}–${p.maximum ?? "…"})`} error={errorFor(errors, `params.${p.name}`, p.name)}>
            <input
              data-testid={`bot-param-${p.name}`}
              type="number"
              inputMode="decimal"
              step={p.type === "integer" ? 1 : "any"}
              min={p.minimum ?? undefined}
              max={p.maximum ?? undefined}
              value={form.params[p.name] ?? ""}
              onChange={(e) => set("params", { ...form.params, [p.name]: e.target.value })}
            />
          </Field>
        ))}
        <Field label={`Symbol (${strategy.base_timeframe} candles stored)`} error={errorFor(errors, "symbol", "exchange")}>
          <select data-testid="bot-symbol" value={form.symbol} onChange={(e) => set("symbol", e.target.value)}>
            {choices.map((c) => (
              <option key={c.value} value={c.value} disabled={c.candles === 0}>
                {c.label}: {c.candles.toLocaleString("en-US")} candles
              </option>
            ))}
          </select>
        </Field>
        <Field label="Mode" error={errors.mode}>
          <select data-testid="bot-mode" value={form.mode} onChange={(e) => set("mode", e.target.value as BotFormState["mode"])}>
            <option value="paper">Paper (simulated fills)</option>
            <option value="live">LIVE (real orders)</option>
          </select>
        </Field>
        <Field label={form.mode === "paper" ? "Paper capital (quote)" : "Capital it may trade (quote)"} error={errors.paper_capital}>
          <input data-testid="bot-capital" type="number" min={0} step="any" value={form.capital} onChange={(e) => set("capital", e.target.value)} />
        </Field>
        {form.mode === "live" && (
          <Field label="Exchange account" error={errors.exchange_account}>
            <select data-testid="bot-account" value={form.account} onChange={(e) => set("account", e.target.value)}>
              <option value="">{accounts.data?.length ? "Pick an account" : "No account: add one on the Accounts page"}</option>
              {accounts.data?.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label ?? a.name ?? `account ${a.id}`}
                </option>
              ))}
            </select>
          </Field>
        )}
        {form.mode === "live" && (
          <Field label="Stop's limit beyond its trigger (%)" error={errors.stop_limit_offset}>
            <input
              data-testid="bot-stop-limit"
              type="number"
              min={0}
              max={20}
              step="any"
              placeholder="0.5"
              title="The stop-loss rests on the exchange as a stop-limit order: once triggered it sells at this much below the stop or better (a gap beyond it leaves it unfilled)"
              value={form.stopLimitPercent ?? ""}
              onChange={(e) => set("stopLimitPercent", e.target.value)}
            />
          </Field>
        )}
        <Field label="Risk profile" error={errors.risk_profile}>
          <select data-testid="bot-risk" value={form.riskProfile} onChange={(e) => set("riskProfile", e.target.value)}>
            <option value="">None (the strategy's sizing)</option>
            {profiles.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name ?? `profile ${p.id}`}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {form.mode === "live" && <p className="banner banner--warning">A LIVE bot sends real orders with real money on the exchange account.</p>}
      {errors.detail && <p className="bt-error">{errors.detail}</p>}
      {otherError && <p className="bt-error">{otherError}</p>}
      <button className="button" type="submit" disabled={create.isPending} data-testid="bot-create">
        {create.isPending ? "Creating…" : "Create bot"}
      </button>
    </form>
  );
}

