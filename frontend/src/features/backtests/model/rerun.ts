// "Edit the parameters and run again" from a run's chart: the same run (symbol, span, costs,
// sizing or risk profile) with other strategy parameters. Pure: unit tested.
import type { BacktestRun, StrategyParamSchema } from "../api/types";
import type { FormErrors } from "./run-form";

/** The request body of POST /analytics/backtests/ (the run form's, plus the run's exchange and capital). */
export interface RerunBody {
  strategy: string;
  symbol: string;
  exchange: string;
  start: string;
  end: string;
  params: Record<string, number>;
  initial_capital: number;
  fee_rate: number;
  slippage_bps: number;
  allow_short: boolean;
  size?: number;
  stop_loss?: number;
  take_profit?: number;
  risk_profile?: number;
}

/** The run's parameters as the texts of the form's inputs, in the schema's order. */
export function paramTexts(run: BacktestRun, schema: readonly StrategyParamSchema[]): Record<string, string> {
  const params = run.params as Record<string, number | undefined>;
  return Object.fromEntries(schema.map((p) => [p.name, String(params[p.name] ?? p.default)]));
}

/**
 * The body, or the fields that are not numbers (keyed `params.<name>`, as the API's 400 names
 * them). Bounds are the API's to check: its field errors show under the inputs.
 */
export function rerunBody(
  run: BacktestRun,
  texts: Record<string, string>,
  schema: readonly StrategyParamSchema[],
): { body: RerunBody; errors: null } | { body: null; errors: FormErrors } {
  const params: Record<string, number> = {};
  const errors: FormErrors = {};
  for (const param of schema) {
    const text = (texts[param.name] ?? "").trim();
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) errors[`params.${param.name}`] = "A number is needed.";
    else params[param.name] = value;
  }
  if (Object.keys(errors).length) return { body: null, errors };
  const body: RerunBody = {
    strategy: run.strategy,
    symbol: run.symbol,
    exchange: run.exchange,
    start: String(run.start), // epoch seconds: the API takes them as they came
    end: String(run.end),
    params,
    initial_capital: run.initial_capital,
    fee_rate: run.fee_rate,
    slippage_bps: run.slippage_bps,
    allow_short: run.allow_short,
  };
  // A risk profile sets the size and the stops: send it, not them (as the run form does).
  if (run.risk_profile !== null) body.risk_profile = run.risk_profile;
  else {
    body.size = run.size;
    if (run.stop_loss !== null) body.stop_loss = run.stop_loss; // absent: none, as the form sends
    if (run.take_profit !== null) body.take_profit = run.take_profit;
  }
  return { body, errors: null };
}

/** What a parameter's input shows from a 400: `params.x`, or a bare `x`. */
export function paramError(errors: FormErrors, name: string): string | undefined {
  return errors[`params.${name}`] ?? errors[name];
}
