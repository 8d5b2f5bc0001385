import { describe, expect, it } from "vitest";
import type { StrategyParamSchema } from "../api/types";
import { buildBotBody, type BotFormState } from "./bot-form";

const schema = [
  { name: "fast_period", type: "integer", default: 12, minimum: 2, maximum: 500, description: "" },
] as unknown as StrategyParamSchema[];
const form: BotFormState = {
  name: "mine",
  strategy: "ema-cross",
  params: { fast_period: "12" },
  symbol: "binance:BTCUSDT",
  mode: "paper",
  capital: "10000",
  account: "",
  riskProfile: "",
};

describe("buildBotBody", () => {
  it("builds the request of a paper bot", () => {
    expect(buildBotBody(form, schema).body).toEqual({
      name: "mine",
      strategy: "ema-cross",
      symbol: "BTCUSDT",
      exchange: "binance",
      params: { fast_period: 12 },
      mode: "paper",
      paper_capital: 10000,
    });
  });
  it("builds the request of a live bot: its account, its capital, no shorts on a spot market", () => {
    expect(buildBotBody({ ...form, mode: "live", account: "7", capital: "2500" }, schema).body).toEqual({
      name: "mine",
      strategy: "ema-cross",
      symbol: "BTCUSDT",
      exchange: "binance",
      params: { fast_period: 12 },
      mode: "live",
      paper_capital: 2500,
      exchange_account: 7,
      allow_short: false,
    });
  });
  it("sends a live stop's limit offset as a fraction, and refuses one out of range", () => {
    const live = { ...form, mode: "live" as const, account: "7" };
    expect(buildBotBody({ ...live, stopLimitPercent: "1" }, schema).body?.stop_limit_offset).toBe(0.01);
    expect(buildBotBody({ ...live, stopLimitPercent: "" }, schema).body).not.toHaveProperty("stop_limit_offset");
    expect(buildBotBody({ ...live, stopLimitPercent: "25" }, schema).errors?.stop_limit_offset).toMatch(/20 %/);
    expect(buildBotBody({ ...live, stopLimitPercent: "0" }, schema).errors?.stop_limit_offset).toBeTruthy();
  });
  it("names each field the browser can judge", () => {
    const { errors } = buildBotBody({ ...form, name: " ", params: { fast_period: "1.5" }, mode: "live", capital: "0" }, schema);
    expect(errors).toEqual({
      name: "Give the bot a name.",
      "params.fast_period": "A whole number is needed.",
      paper_capital: "A positive amount is needed.",
      exchange_account: "A live bot trades on one of your exchange accounts.",
    });
  });
});
