// The risk profile form as plain data: text typed per field, shown in percent where the API takes
// fractions, checked against the bounds the API serves, turned into the request body. Pure.
import type { ProfileField, RiskProfile, RiskProfileBody, RiskValueName } from "../api/types";

/** Fractions entered and shown in percent (0.01 <-> "1"). */
export const PERCENT_FIELDS: ReadonlySet<RiskValueName> = new Set([
  "risk_per_trade",
  "max_position_fraction",
  "stop_loss",
  "take_profit",
  "max_daily_loss",
  "max_drawdown",
]);

export const FIELD_LABELS: Record<RiskValueName, string> = {
  risk_per_trade: "Risk per trade",
  max_position_fraction: "Max position (of equity)",
  stop_loss: "Stop-loss",
  take_profit: "Take-profit",
  max_daily_loss: "Max daily loss",
  max_open_positions: "Max open positions",
  max_drawdown: "Drawdown kill switch",
  cooldown_bars: "Cooldown after a stop-loss",
  leverage: "Leverage",
};

export interface ProfileFormState {
  name: string;
  isDefault: boolean;
  /** Field name -> the text typed, in display units; "" = off for a nullable field. */
  values: Record<string, string>;
}

export type ProfileFormErrors = Record<string, string>;

/** Fraction -> percent text without float noise (0.015 -> "1.5"). */
const toDisplay = (name: RiskValueName, value: number) =>
  String(PERCENT_FIELDS.has(name) ? Number((value * 100).toPrecision(12)) : value);

const fromDisplay = (name: RiskValueName, value: number) =>
  PERCENT_FIELDS.has(name) ? Number((value / 100).toPrecision(12)) : value;

/** A value as the list shows it: "1 %", "off", "12 bars", "2x". */
export function formatRiskValue(name: RiskValueName, value: number | null): string {
  if (value === null) return "off";
  if (name === "cooldown_bars") return value === 0 ? "none" : `${value} bars`;
  if (name === "leverage") return `${value}x`;
  return PERCENT_FIELDS.has(name) ? `${toDisplay(name, value)} %` : String(value);
}

/** The unit a field is typed in: "%", "x", "bars" or "" (a count). */
export function fieldUnit(name: RiskValueName): string {
  if (PERCENT_FIELDS.has(name)) return "%";
  if (name === "leverage") return "x";
  if (name === "cooldown_bars") return "bars";
  return "";
}

/** A bound in display units: "10 %", "2x", "100". */
const formatBound = (name: RiskValueName, value: number) =>
  PERCENT_FIELDS.has(name) ? `${toDisplay(name, value)} %` : name === "leverage" ? `${value}x` : String(value);

/** The allowed range in display units, e.g. "above 0 %, up to 10 %" or "from 1, up to 100". */
export function describeBounds(field: ProfileField): string {
  const low = formatBound(field.name, field.min);
  const high = formatBound(field.name, field.max);
  const lowText = field.min_inclusive ? `from ${low}` : `above ${low}`;
  const highText = field.max_inclusive ? `up to ${high}` : `below ${high}`;
  return `${lowText}, ${highText}${field.nullable ? "; empty = off" : ""}`;
}

export function initialProfileForm(fields: ProfileField[], profile?: RiskProfile): ProfileFormState {
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value: number | null | undefined = profile ? profile[field.name] : field.default;
    values[field.name] = value === null || value === undefined ? "" : toDisplay(field.name, value);
  }
  return { name: profile?.name ?? "", isDefault: profile?.is_default ?? false, values };
}

function checkValue(field: ProfileField, text: string): { value?: number | null; error?: string } {
  const trimmed = text.trim();
  if (trimmed === "") return field.nullable ? { value: null } : { error: "required" };
  const typed = Number(trimmed);
  if (!Number.isFinite(typed)) return { error: "must be a number" };
  if (field.type === "integer" && !Number.isInteger(typed)) return { error: "must be a whole number" };
  const value = fromDisplay(field.name, typed);
  const aboveLow = field.min_inclusive ? value >= field.min : value > field.min;
  const belowHigh = field.max_inclusive ? value <= field.max : value < field.max;
  if (!aboveLow || !belowHigh) return { error: `must be ${describeBounds(field).replace("; empty = off", "")}` };
  return { value };
}

/**
 * The POST body (or, with `original`, the PATCH body of what changed), or the errors to show next
 * to the fields. The server checks the same bounds again and names any field it refuses.
 */
export function buildProfileBody(
  form: ProfileFormState,
  fields: ProfileField[],
  original?: RiskProfile,
): { body?: RiskProfileBody; errors?: ProfileFormErrors } {
  const errors: ProfileFormErrors = {};
  const body: RiskProfileBody = {};
  const name = form.name.trim();
  if (!name) errors.name = "required";
  else if (name.length > 80) errors.name = "at most 80 characters";
  else if (name !== original?.name) body.name = name;
  for (const field of fields) {
    const { value, error } = checkValue(field, form.values[field.name] ?? "");
    if (error) errors[field.name] = error;
    else if (value !== undefined && (!original || original[field.name] !== value)) (body as Record<string, number | null>)[field.name] = value;
  }
  if (form.isDefault && !original?.is_default) body.is_default = true;
  return Object.keys(errors).length ? { errors } : { body };
}
