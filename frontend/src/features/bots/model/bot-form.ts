// The create-a-bot form: state -> request body, with the errors the browser can see itself
// (the API's 400 names the others, shown under the same fields).
import type { BotCreateBody, SymbolCoverage } from "../api/bots";
import type { StrategyParamSchema } from "../api/types";

export interface BotFormState {
  name: string;
  strategy: string;
  params: Record<string, string>;
  symbol: string; // "exchange:name"
  mode: "paper" | "live";
  capital: string;
  account: string;
  riskProfile: string;
  /** Live: the stop's limit beyond its trigger, in percent ("" = the server's 0.5%). */
  stopLimitPercent?: string;
}

export type FormErrors = Record<string, string>;

export const defaultParams = (schema: StrategyParamSchema[]) =>
  Object.fromEntries(schema.map((p) => [p.name, p.default === null || p.default === undefined ? "" : String(p.default)]));

/** Symbols with stored candles of the strategy's base timeframe, with how many. */
export function symbolChoices(symbols: SymbolCoverage[], timeframe: string) {
  return symbols.map((s) => {
    const coverage = s.timeframes.find((t) => t.timeframe === timeframe);
    return { value: `${s.exchange}:${s.name}`, label: `${s.name} (${s.exchange})`, candles: coverage?.count ?? 0 };
  });
}

export function buildBotBody(form: BotFormState, schema: StrategyParamSchema[]): { body?: BotCreateBody; errors?: FormErrors } {
  const errors: FormErrors = {};
  if (!form.name.trim()) errors.name = "Give the bot a name.";
  const params: Record<string, number> = {};
  for (const p of schema) {
    const text = (form.params[p.name] ?? "").trim();
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) errors[`params.${p.name}`] = "A number is needed.";
    else if (p.type === "integer" && !Number.isInteger(value)) errors[`params.${p.name}`] = "A whole number is needed.";
    else params[p.name] = value;
  }
  const [exchange, symbol] = form.symbol.includes(":") ? form.symbol.split(":", 2) : [undefined, form.symbol];
  if (!symbol) errors.symbol = "Pick a symbol.";
  const capital = Number(form.capital);
  if (!(capital > 0)) errors.paper_capital = "A positive amount is needed.";
  if (form.mode === "live" && !form.account) errors.exchange_account = "A live bot trades on one of your exchange accounts.";
  const offsetText = (form.stopLimitPercent ?? "").trim();
  const offset = Number(offsetText) / 100;
  if (form.mode === "live" && offsetText && !(offset > 0 && offset <= 0.2)) errors.stop_limit_offset = "Between 0 and 20 %, above 0.";
  if (Object.keys(errors).length) return { errors };
  const body: BotCreateBody = { name: form.name.trim(), strategy: form.strategy, symbol: symbol!, params, mode: form.mode };
  if (exchange) body.exchange = exchange;
  body.paper_capital = capital;
  // Live bots trade spot markets, which cannot be shorted.
  if (form.mode === "live") {
    body.exchange_account = Number(form.account);
    body.allow_short = false;
    if (offsetText) body.stop_limit_offset = offset;
  }
  if (form.riskProfile) body.risk_profile = Number(form.riskProfile);
  return { body };
}

/** The first error of the names given (field errors come as `params.x` or `x`). */
export function errorFor(errors: FormErrors, ...names: string[]): string | undefined {
  for (const name of names) if (errors[name]) return errors[name];
  return undefined;
}
