// Response types of /api/risk/ and of a backtest's risk_report (docs/risk.md). Fractions, not
// percent: 0.01 = 1 %. Times are epoch seconds.

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

/** One field of GET /api/risk/profile-fields/: what the form shows and checks. */
export interface ProfileField {
  name: RiskValueName;
  type: "number" | "integer";
  min: number;
  max: number;
  min_inclusive: boolean;
  max_inclusive: boolean;
  /** null switches the rule off. */
  nullable: boolean;
  default: number | null;
  help_text: string;
}

export type RiskValues = Record<RiskValueName, number | null>;

export interface RiskProfile extends RiskValues {
  id: number;
  name: string;
  is_default: boolean;
  created_at: string;
  updated_at: string;
}

/** POST (name required) and PATCH bodies. */
export interface RiskProfileBody extends Partial<RiskValues> {
  name?: string;
  is_default?: boolean;
}

/** The 409 of a delete: the profile is held by a running bot. */
export interface ProfileInUse {
  detail: string;
  used_by: string[];
}

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
