import { describe, expect, it } from "vitest";
import type { StrategyParamSchema } from "../api/types";
import { buildStudyBody, buildWalkForwardBody, defaultRanges, type StudyForm } from "./study-form";

const PARAMS = [
  { name: "sma_period", type: "integer", default: 200, minimum: 2, maximum: 1000, description: "" },
  { name: "hma_period", type: "integer", default: 200, minimum: 4, maximum: 1000, description: "" },
] as StrategyParamSchema[];

function form(overrides: Partial<StudyForm> = {}): StudyForm {
  return {
    strategy: "hma-sma",
    symbol: "binance:BTCUSDT",
    start: "2024-04-01",
    end: "2024-05-01",
    objective: "sharpe",
    sampler: "tpe",
    nTrials: "50",
    minTrades: "5",
    feePercent: "0.1",
    ranges: defaultRanges(PARAMS),
    mode: "rolling",
    inSampleDays: "10",
    outOfSampleDays: "5",
    ...overrides,
  };
}

describe("the study form", () => {
  it("searches each parameter around its default, inside its bounds", () => {
    const ranges = defaultRanges(PARAMS);
    expect(ranges.sma_period).toEqual({ searched: true, low: "75", high: "325", step: "25" });
    expect(Number(ranges.hma_period?.low)).toBeGreaterThanOrEqual(4);
  });

  it("makes the API's body: space, costs as fractions, the symbol's exchange", () => {
    const { body, errors } = buildStudyBody(form(), PARAMS);
    expect(errors).toBeUndefined();
    expect(body).toMatchObject({
      strategy: "hma-sma",
      symbol: "BTCUSDT",
      exchange: "binance",
      space: { sma_period: { low: 75, high: 325, step: 25 } },
      n_trials: 50,
      min_trades: 5,
      fee_rate: 0.001,
    });
  });

  it("leaves out parameters not searched, and refuses a search of none", () => {
    const ranges = defaultRanges(PARAMS);
    const one = buildStudyBody(form({ ranges: { ...ranges, hma_period: { ...ranges.hma_period!, searched: false } } }), PARAMS);
    expect(Object.keys(one.body?.space ?? {})).toEqual(["sma_period"]);
    const none = Object.fromEntries(Object.entries(ranges).map(([k, r]) => [k, { ...r, searched: false }]));
    expect(buildStudyBody(form({ ranges: none }), PARAMS).errors).toEqual({ space: "search at least one parameter" });
  });

  it("names the parameter whose range leaves its bounds", () => {
    const ranges = { ...defaultRanges(PARAMS), sma_period: { searched: true, low: "1", high: "300", step: "" } };
    expect(buildStudyBody(form({ ranges }), PARAMS).errors).toEqual({ "space.sma_period": "low must be at least 2" });
  });

  it("adds the walk-forward's windows in hours", () => {
    const { body } = buildWalkForwardBody(form(), PARAMS);
    expect(body).toMatchObject({ mode: "rolling", in_sample_hours: 240, out_of_sample_hours: 120 });
    expect(buildWalkForwardBody(form({ inSampleDays: "0" }), PARAMS).errors).toEqual({ in_sample: "in-sample days must be positive" });
  });
});
