// What GET /api/risk/profile-fields/ answers (apps/risk/bounds.py), for the unit tests.
import type { ProfileField, RiskProfile } from "../api/types";

const f = (
  name: ProfileField["name"],
  min: number,
  max: number,
  minInclusive: boolean,
  maxInclusive: boolean,
  def: number,
  extra: Partial<ProfileField> = {},
): ProfileField => ({
  name,
  type: "number",
  min,
  max,
  min_inclusive: minInclusive,
  max_inclusive: maxInclusive,
  nullable: false,
  default: def,
  help_text: `${name} help`,
  ...extra,
});

export const FIELDS: ProfileField[] = [
  f("risk_per_trade", 0, 0.1, false, true, 0.01),
  f("max_position_fraction", 0, 10, false, true, 0.5),
  f("stop_loss", 0, 0.5, false, true, 0.02),
  f("take_profit", 0, 10, false, true, 0.04, { nullable: true }),
  f("max_daily_loss", 0, 1, false, false, 0.03, { nullable: true }),
  f("max_open_positions", 1, 100, true, true, 3, { type: "integer" }),
  f("max_drawdown", 0, 1, false, false, 0.2, { nullable: true }),
  f("cooldown_bars", 0, 10000, true, true, 0, { type: "integer" }),
  f("leverage", 1, 10, true, true, 1),
];

export const PROFILE: RiskProfile = {
  id: 3,
  name: "Tight",
  is_default: false,
  risk_per_trade: 0.005,
  max_position_fraction: 0.5,
  stop_loss: 0.015,
  take_profit: null,
  max_daily_loss: 0.03,
  max_open_positions: 3,
  max_drawdown: 0.2,
  cooldown_bars: 12,
  leverage: 1,
  created_at: "2026-11-28T18:00:00Z",
  updated_at: "2026-11-28T18:00:00Z",
};
