// The new-run and sweep forms as plain data, and the request bodies they become. Pure: unit tested.
export { storedSpan } from "@/lib/stored-span";
import { parseSymbolKey } from "@/lib/symbol-ref";
import { parseUtc } from "@/lib/time";
import type { StrategyParamSchema } from "../api/types";

export interface RunFormState {
  strategy: string;
  /** Parameter name -> the text typed (defaults from the schema). */
  params: Record<string, string>;
  /** "exchange:name" (lib/symbol-ref): the same name can be stored from two exchanges. */
  symbol: string;
  /** UTC, as typed: "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (24-hour). */
  start: string;
  end: string;
  /** Percent, e.g. "0.1" for 0.1 %. */
  feePercent: string;
  slippageBps: string;
  size: string;
  stopLossPercent: string;
  takeProfitPercent: string;
  allowShort: boolean;
  /** A risk profile id: it sets the size, the stop-loss and the take-profit. */
  riskProfile: number | null;
}

export interface RunRequestBody {
  strategy: string;
  symbol: string;
  exchange?: string;
  start: string;
  end: string;
  params: Record<string, number>;
  fee_rate?: number;
  slippage_bps?: number;
  size?: number;
  stop_loss?: number;
  take_profit?: number;
  allow_short: boolean;
  risk_profile?: number;
}

/** Set by a risk profile: the form neither sends them nor lets them be typed. */
export const PROFILE_SETS = ["size", "stop_loss", "take_profit"] as const;

export interface SweepRequestBody extends Omit<RunRequestBody, "params"> {
  params: Record<string, number>;
  grid: Record<string, number[]>;
}

export function defaultParams(schema: StrategyParamSchema[]): Record<string, string> {
  return Object.fromEntries(schema.map((param) => [param.name, String(param.default)]));
}

export function initialRunForm(strategy: string, schema: StrategyParamSchema[], symbol: string, span: { start: string; end: string } | null = null): RunFormState {
  return {
    strategy,
    params: defaultParams(schema),
    symbol,
    start: span?.start ?? "",
    end: span?.end ?? "",
    feePercent: "0.1",
    slippageBps: "0",
    size: "1",
    stopLossPercent: "",
    takeProfitPercent: "",
    allowShort: true,
    riskProfile: null,
  };
}

/** Field name (as the API names it) -> message, for what can be checked before sending. */
export type FormErrors = Record<string, string>;

const number = (text: string): number | null => {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : Number.NaN;
};

function checkParam(param: StrategyParamSchema, value: number): string | null {
  if (param.type === "integer" && !Number.isInteger(value)) return "must be a whole number";
  if (param.minimum !== null && value < param.minimum) return `must be at least ${param.minimum}`;
  if (param.maximum !== null && value > param.maximum) return `must be at most ${param.maximum}`;
  return null;
}

/** Percent text -> fraction (0.1 -> 0.001), rounded to kill float noise. */
const percentToFraction = (value: number) => Number((value / 100).toPrecision(12));

/** The POST body for a run, or the errors to show next to the fields. Blank optional fields are left out. */
export function buildRunBody(
  form: RunFormState,
  schema: StrategyParamSchema[],
): { body: RunRequestBody; errors: null } | { body: null; errors: FormErrors } {
  const errors: FormErrors = {};
  const params: Record<string, number> = {};
  for (const param of schema) {
    const value = number(form.params[param.name] ?? "");
    if (value === null || Number.isNaN(value)) {
      errors[`params.${param.name}`] = "a number is required";
      continue;
    }
    const problem = checkParam(param, value);
    if (problem) errors[`params.${param.name}`] = problem;
    else params[param.name] = value;
  }
  const symbol = parseSymbolKey(form.symbol);
  if (!symbol.name) errors.symbol = "pick a symbol";
  const start = utcField(form.start);
  const end = utcField(form.end);
  if (start.error) errors.start = start.error;
  if (end.error) errors.end = end.error;
  if (start.seconds !== null && end.seconds !== null && end.seconds <= start.seconds) errors.end = "must be after start";
  const body: RunRequestBody = {
    strategy: form.strategy,
    symbol: symbol.name,
    start: start.iso,
    end: end.iso,
    params,
    allow_short: form.allowShort,
  };
  if (symbol.exchange) body.exchange = symbol.exchange;
  const optional: [keyof RunFormState, "fee_rate" | "slippage_bps" | "size" | "stop_loss" | "take_profit", boolean][] = [
    ["feePercent", "fee_rate", true],
    ["slippageBps", "slippage_bps", false],
    ["size", "size", false],
    ["stopLossPercent", "stop_loss", true],
    ["takeProfitPercent", "take_profit", true],
  ];
  if (form.riskProfile !== null) body.risk_profile = form.riskProfile;
  for (const [key, field, percent] of optional) {
    if (form.riskProfile !== null && (PROFILE_SETS as readonly string[]).includes(field)) continue;
    const value = number(String(form[key]));
    if (value === null) continue;
    if (Number.isNaN(value) || value < 0) errors[field] = "must be a number ≥ 0";
    else body[field] = percent ? percentToFraction(value) : value;
  }
  return Object.keys(errors).length > 0 ? { body: null, errors } : { body, errors: null };
}

const UTC_TEXT = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2})?$/;

/** A typed UTC date ("2024-06-01" or "2024-06-01 13:30"): the ISO text the API takes, or why not. */
export function utcField(text: string): { iso: string; seconds: number | null; error: string | null } {
  const trimmed = text.trim();
  if (!trimmed) return { iso: "", seconds: null, error: "required" };
  const iso = trimmed.replace(" ", "T");
  const seconds = UTC_TEXT.test(trimmed) ? parseUtc(iso) : null;
  return seconds === null ? { iso, seconds, error: "use YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC, 24-hour)" } : { iso, seconds, error: null };
}

/** "6, 12,24" -> [6, 12, 24]; null when not a list of numbers. */
export function parseGridValues(text: string): number[] | null {
  const parts = text.split(",").map((part) => part.trim()).filter((part) => part !== "");
  if (parts.length === 0) return null;
  const values = parts.map(Number);
  return values.every(Number.isFinite) ? values : null;
}

/**
 * A sweep body: parameters whose text holds a comma go to the grid (one run per combination),
 * the others stay fixed in `params`.
 */
export function buildSweepBody(
  form: RunFormState,
  schema: StrategyParamSchema[],
): { body: SweepRequestBody; errors: null } | { body: null; errors: FormErrors } {
  const grid: Record<string, number[]> = {};
  const errors: FormErrors = {};
  const fixedForm: RunFormState = { ...form, params: {} };
  const fixedSchema: StrategyParamSchema[] = [];
  for (const param of schema) {
    const text = form.params[param.name] ?? "";
    if (text.includes(",")) {
      const values = parseGridValues(text);
      if (!values) errors[`grid.${param.name}`] = "comma-separated numbers";
      else {
        const bad = values.map((value) => checkParam(param, value)).find((problem) => problem !== null);
        if (bad) errors[`grid.${param.name}`] = bad;
        else grid[param.name] = values;
      }
    } else {
      fixedForm.params[param.name] = text;
      fixedSchema.push(param);
    }
  }
  if (Object.keys(grid).length === 0 && Object.keys(errors).length === 0) {
    errors.grid = "give at least one parameter several comma-separated values";
  }
  const fixed = buildRunBody(fixedForm, fixedSchema);
  if (fixed.errors || Object.keys(errors).length > 0) return { body: null, errors: { ...errors, ...(fixed.errors ?? {}) } };
  return { body: { ...fixed.body, grid }, errors: null };
}

/** Field errors of a 400 for a field: `params.x`/`grid.x` also match a bare `x` the form shows. */
export function errorFor(errors: FormErrors, ...names: string[]): string | undefined {
  for (const name of names) if (errors[name]) return errors[name];
  return undefined;
}
