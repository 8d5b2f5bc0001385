import { describe, expect, it } from "vitest";
import { FIELDS, PROFILE } from "./fields.fixture";
import { buildProfileBody, describeBounds, fieldUnit, formatRiskValue, initialProfileForm } from "./profile-form";

const field = (name: string) => FIELDS.find((f) => f.name === name)!;

describe("risk profile form", () => {
  it("starts from the served defaults, fractions shown in percent", () => {
    const form = initialProfileForm(FIELDS);
    expect(form.name).toBe("");
    expect(form.values).toMatchObject({ risk_per_trade: "1", stop_loss: "2", max_position_fraction: "50", max_open_positions: "3", leverage: "1" });
  });

  it("edits a profile: its values, null as an empty (off) field, no float noise", () => {
    const form = initialProfileForm(FIELDS, PROFILE);
    expect(form.values).toMatchObject({ risk_per_trade: "0.5", stop_loss: "1.5", take_profit: "", cooldown_bars: "12" });
  });

  it("builds the POST body in fractions", () => {
    const form = initialProfileForm(FIELDS);
    form.name = " Tight ";
    form.values.stop_loss = "1.5";
    form.values.take_profit = "";
    const { body, errors } = buildProfileBody(form, FIELDS);
    expect(errors).toBeUndefined();
    expect(body).toMatchObject({ name: "Tight", stop_loss: 0.015, take_profit: null, risk_per_trade: 0.01, max_open_positions: 3 });
    expect(body!.is_default).toBeUndefined();
  });

  it("sends only what changed on an edit, and asks to become the default", () => {
    const form = initialProfileForm(FIELDS, PROFILE);
    form.values.cooldown_bars = "6";
    form.isDefault = true;
    expect(buildProfileBody(form, FIELDS, PROFILE)).toEqual({ body: { cooldown_bars: 6, is_default: true } });
  });

  it("names every field out of its bounds, inclusive or not as served", () => {
    const form = initialProfileForm(FIELDS);
    form.name = "X";
    Object.assign(form.values, {
      risk_per_trade: "0",
      stop_loss: "abc",
      max_daily_loss: "100",
      max_open_positions: "2.5",
      leverage: "0.5",
      cooldown_bars: "",
    });
    const { body, errors } = buildProfileBody(form, FIELDS);
    expect(body).toBeUndefined();
    expect(errors).toEqual({
      risk_per_trade: "must be above 0 %, up to 10 %",
      stop_loss: "must be a number",
      max_daily_loss: "must be above 0 %, below 100 %",
      max_open_positions: "must be a whole number",
      leverage: "must be from 1x, up to 10x",
      cooldown_bars: "required",
    });
  });

  it("accepts the inclusive ends exactly", () => {
    const form = initialProfileForm(FIELDS);
    form.name = "Edge";
    Object.assign(form.values, { risk_per_trade: "10", max_open_positions: "1", leverage: "10", cooldown_bars: "0" });
    expect(buildProfileBody(form, FIELDS).body).toMatchObject({ risk_per_trade: 0.1, leverage: 10, cooldown_bars: 0 });
  });

  it("requires a name", () => {
    const form = initialProfileForm(FIELDS);
    expect(buildProfileBody(form, FIELDS).errors).toEqual({ name: "required" });
  });

  it("describes bounds and values in words", () => {
    expect(describeBounds(field("max_drawdown"))).toBe("above 0 %, below 100 %; empty = off");
    expect(describeBounds(field("max_open_positions"))).toBe("from 1, up to 100");
    expect(formatRiskValue("max_daily_loss", 0.03)).toBe("3 %");
    expect(formatRiskValue("max_drawdown", null)).toBe("off");
    expect(formatRiskValue("cooldown_bars", 12)).toBe("12 bars");
    expect(formatRiskValue("cooldown_bars", 0)).toBe("none");
    expect(formatRiskValue("leverage", 2)).toBe("2x");
  });
});

describe("units", () => {
  it("types fractions in percent, leverage in x, the cooldown in bars", () => {
    expect(fieldUnit("stop_loss")).toBe("%");
    expect(fieldUnit("leverage")).toBe("x");
    expect(fieldUnit("cooldown_bars")).toBe("bars");
    expect(fieldUnit("max_open_positions")).toBe("");
  });
});
