// Names for the risk API's types, GENERATED from the OpenAPI schema (src/lib/api-schema.ts, `make
// api-types`). Fractions, not percent: 0.01 = 1 %. Times are epoch seconds. `risk_report` is
// free-form JSON in the schema, so its shape lives here and `parseRiskReport` checks it.
import type { components } from "@/lib/api-schema";

type Schemas = components["schemas"];

export type RiskProfile = Schemas["RiskProfile"];
/** POST (name required) and PATCH bodies. */
export type RiskProfileBody = Schemas["PatchedRiskProfileInput"];

/** The profile values a form edits (every numeric field of a profile). */
export type RiskValueName =
  | "risk_per_trade"
  | "max_position_fraction"
  | "stop_loss"
  | "take_profit"
  | "max_daily_loss"
  | "max_open_positions"
  | "max_drawdown"
  | "cooldown_bars"
  | "leverage";

export const RISK_VALUE_NAMES: readonly RiskValueName[] = [
  "risk_per_trade",
  "max_position_fraction",
  "stop_loss",
  "take_profit",
  "max_daily_loss",
  "max_open_positions",
  "max_drawdown",
  "cooldown_bars",
  "leverage",
];

export function isRiskValueName(name: string): name is RiskValueName {
  return (RISK_VALUE_NAMES as readonly string[]).includes(name);
}

/** One field of GET /api/risk/profile-fields/ (a name the form knows). */
export type ProfileField = Omit<Schemas["ProfileField"], "name"> & { name: RiskValueName };

/** What a risk profile did to a backtest (null on runs without one). */
export interface RiskReport {
  /** Rule code -> entry signals refused for it. */
  blocked: Record<string, number>;
  blocked_total: number;
  /** Rule code -> the words of its first refusal. */
  examples: Record<string, string>;
  /** "risk_per_trade" | "max_position_fraction" | "leverage" -> entries sized by it. */
  sized_by: Record<string, number>;
  /** Units of the base asset. */
  sizes: { min: number; max: number; mean: number } | null;
  kill_switch: { time: number; bar: number; reason: string } | null;
}
