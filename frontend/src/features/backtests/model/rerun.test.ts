import { describe, expect, it } from "vitest";
import type { BacktestRun, StrategyParamSchema } from "../api/types";
import { paramError, paramTexts, rerunBody } from "./rerun";

const schema = [
  { name: "fast_period", type: "integer", default: 12, minimum: 2, maximum: 500, description: "" },
  { name: "slow_period", type: "integer", default: 26, minimum: 3, maximum: 1000, description: "" },
] as StrategyParamSchema[];

const run = {
  strategy: "ema-cross",
  symbol: "BTCUSDT",
  exchange: "binance",
  start: 1_717_200_000,
  end: 1_718_409_600,
  params: { fast_period: 10 },
  initial_capital: 10_000,
  fee_rate: 0.001,
  slippage_bps: 2,
  allow_short: false,
  size: 0.5,
  stop_loss: 0.02,
  take_profit: null,
  risk_profile: null,
} as unknown as BacktestRun;

describe("rerun", () => {
  it("starts from the run's parameters, the schema's defaults for the rest", () => {
    expect(paramTexts(run, schema)).toEqual({ fast_period: "10", slow_period: "26" });
  });

  it("keeps the run's symbol, span, costs and sizing, with the new parameters", () => {
    const { body } = rerunBody(run, { fast_period: "8", slow_period: "30" }, schema);
    expect(body).toEqual({
      strategy: "ema-cross",
      symbol: "BTCUSDT",
      exchange: "binance",
      start: "1717200000",
      end: "1718409600",
      params: { fast_period: 8, slow_period: 30 },
      initial_capital: 10_000,
      fee_rate: 0.001,
      slippage_bps: 2,
      allow_short: false,
      size: 0.5,
      stop_loss: 0.02,
    });
  });

  it("sends the risk profile instead of the sizing it sets", () => {
    const { body } = rerunBody({ ...run, risk_profile: 7 } as BacktestRun, { fast_period: "8", slow_period: "30" }, schema);
    expect(body!.risk_profile).toBe(7);
    expect(body).not.toHaveProperty("size");
  });

  it("names the inputs that are not numbers, leaving bounds to the API", () => {
    expect(rerunBody(run, { fast_period: "abc", slow_period: "" }, schema).errors).toEqual({
      "params.fast_period": "A number is needed.",
      "params.slow_period": "A number is needed.",
    });
    expect(rerunBody(run, { fast_period: "1", slow_period: "5000" }, schema).body?.params).toEqual({ fast_period: 1, slow_period: 5000 });
  });

  it("finds an error under params.<name> or the bare name", () => {
    expect(paramError({ "params.fast_period": "too small" }, "fast_period")).toBe("too small");
    expect(paramError({ slow_period: "no" }, "slow_period")).toBe("no");
  });
});
