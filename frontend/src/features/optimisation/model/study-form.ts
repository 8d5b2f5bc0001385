// The study form's state and the request body it makes: the searched ranges inside each parameter's
// schema bounds (the server checks again and names the field), the walk-forward's windows in hours.
import { parseSymbolKey } from "@/lib/symbol-ref";
import type { StrategyParamSchema, StudyCreateBody, WalkForwardCreateBody } from "../api/types";

export const OBJECTIVES = ["sharpe", "sortino", "calmar", "total_return", "profit_factor"] as const;
export const SAMPLERS = ["tpe", "grid", "random"] as const;

export interface RangeRow {
  searched: boolean;
  low: string;
  high: string;
  step: string;
}

export interface StudyForm {
  strategy: string;
  symbol: string; // a symbol key, "binance:BTCUSDT"
  start: string;
  end: string;
  objective: string;
  sampler: string;
  nTrials: string;
  minTrades: string;
  feePercent: string;
  ranges: Record<string, RangeRow>;
  mode: "rolling" | "anchored";
  inSampleDays: string;
  outOfSampleDays: string;
}

/** Each parameter searched over a quarter of its range around its default, integer steps of ~1/10. */
export function defaultRanges(params: readonly StrategyParamSchema[]): Record<string, RangeRow> {
  const rows: Record<string, RangeRow> = {};
  for (const p of params) {
    const min = p.minimum ?? p.default / 2;
    const max = p.maximum ?? p.default * 2;
    const span = (max - min) / 8;
    const low = Math.max(min, p.default - span);
    const high = Math.min(max, p.default + span);
    const integer = p.type === "integer";
    const step = integer ? Math.max(1, Math.round((high - low) / 10)) : (high - low) / 10;
    rows[p.name] = { searched: true, low: fmt(low, integer), high: fmt(high, integer), step: fmt(step, integer) };
  }
  return rows;
}

function fmt(value: number, integer: boolean): string {
  return integer ? String(Math.round(value)) : String(Number(value.toPrecision(4)));
}

export interface BuiltBody<T> {
  body?: T;
  errors?: Record<string, string>;
}

/** The POST body of a study, or the fields that cannot make one (keys as the API names them). */
export function buildStudyBody(form: StudyForm, params: readonly StrategyParamSchema[]): BuiltBody<StudyCreateBody> {
  const errors: Record<string, string> = {};
  const space: Record<string, { low: number; high: number; step?: number }> = {};
  for (const p of params) {
    const row = form.ranges[p.name];
    if (!row?.searched) continue;
    const low = Number(row.low);
    const high = Number(row.high);
    const step = row.step.trim() === "" ? undefined : Number(row.step);
    const where = `space.${p.name}`;
    if (row.low.trim() === "" || row.high.trim() === "" || !Number.isFinite(low) || !Number.isFinite(high)) errors[where] = "low and high must be numbers";
    else if (p.minimum !== null && p.minimum !== undefined && low < p.minimum) errors[where] = `low must be at least ${p.minimum}`;
    else if (p.maximum !== null && p.maximum !== undefined && high > p.maximum) errors[where] = `high must be at most ${p.maximum}`;
    else if (low >= high) errors[where] = "low must be below high";
    else if (step !== undefined && !(step > 0)) errors[where] = "step must be positive";
    else space[p.name] = step === undefined ? { low, high } : { low, high, step };
  }
  if (!Object.keys(space).length && !Object.keys(errors).length) errors.space = "search at least one parameter";
  const nTrials = Number(form.nTrials);
  if (!Number.isInteger(nTrials) || nTrials < 1) errors.n_trials = "a whole number of trials, 1 or more";
  const minTrades = Number(form.minTrades);
  if (!Number.isInteger(minTrades) || minTrades < 0) errors.min_trades = "a whole number, 0 or more";
  const fee = Number(form.feePercent);
  if (form.feePercent.trim() === "" || !Number.isFinite(fee) || fee < 0) errors.fee_rate = "a fee of 0 % or more";
  if (Object.keys(errors).length) return { errors };
  const symbol = parseSymbolKey(form.symbol);
  return {
    body: {
      strategy: form.strategy,
      symbol: symbol.name,
      ...(symbol.exchange ? { exchange: symbol.exchange } : {}),
      start: form.start,
      end: form.end,
      space,
      objective: form.objective,
      sampler: form.sampler as StudyCreateBody["sampler"],
      n_trials: nTrials,
      min_trades: minTrades,
      fee_rate: fee / 100,
    },
  };
}

const HOURS_PER_DAY = 24;

/** A study's body plus the walk-forward's windows (days in the form, hours in the API). */
export function buildWalkForwardBody(form: StudyForm, params: readonly StrategyParamSchema[]): BuiltBody<WalkForwardCreateBody> {
  const study = buildStudyBody(form, params);
  const errors: Record<string, string> = { ...(study.errors ?? {}) };
  const inSample = Number(form.inSampleDays);
  const outOfSample = Number(form.outOfSampleDays);
  if (!(inSample > 0)) errors.in_sample = "in-sample days must be positive";
  if (!(outOfSample > 0)) errors.out_of_sample = "out-of-sample days must be positive";
  if (Object.keys(errors).length || !study.body) return { errors };
  return {
    body: {
      ...study.body,
      mode: form.mode,
      in_sample_hours: Math.round(inSample * HOURS_PER_DAY),
      out_of_sample_hours: Math.round(outOfSample * HOURS_PER_DAY),
    },
  };
}
