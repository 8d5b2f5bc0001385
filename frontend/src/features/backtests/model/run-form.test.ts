import { describe, expect, it } from "vitest";
import type { StrategyParamSchema } from "../api/types";
import type { MarketSymbol } from "@/lib/api-types";
import { buildRunBody, buildSweepBody, initialRunForm, parseGridValues, storedSpan, utcField } from "./run-form";

const SPAN = { start: "2024-06-01", end: "2024-06-15" };

const schema: StrategyParamSchema[] = [
  { name: "fast_period", type: "integer", default: 12, minimum: 2, maximum: 500, description: "" },
  { name: "slow_period", type: "integer", default: 26, minimum: 3, maximum: 1000, description: "" },
];

describe("buildRunBody", () => {
  it("turns the defaults into a request, percents into fractions", () => {
    const form = { ...initialRunForm("ema-cross", schema, "binance:BTCUSDT", SPAN), stopLossPercent: "1.5", slippageBps: "2" };
    const result = buildRunBody(form, schema);
    expect(result.errors).toBeNull();
    expect(result.body).toEqual({
      strategy: "ema-cross",
      symbol: "BTCUSDT",
      exchange: "binance",
      start: "2024-06-01",
      end: "2024-06-15",
      params: { fast_period: 12, slow_period: 26 },
      fee_rate: 0.001,
      slippage_bps: 2,
      size: 1,
      stop_loss: 0.015,
      allow_short: true,
    });
  });

  it("leaves blank optional fields out", () => {
    const form = { ...initialRunForm("ema-cross", schema, "binance:BTCUSDT", SPAN), feePercent: "", size: "" };
    const body = buildRunBody(form, schema).body!;
    expect(body).not.toHaveProperty("fee_rate");
    expect(body).not.toHaveProperty("size");
    expect(body).not.toHaveProperty("take_profit");
  });

  it("checks the schema's bounds and integer type", () => {
    const form = initialRunForm("ema-cross", schema, "binance:BTCUSDT", SPAN);
    form.params = { fast_period: "1", slow_period: "2.5" };
    expect(buildRunBody(form, schema).errors).toEqual({
      "params.fast_period": "must be at least 2",
      "params.slow_period": "must be a whole number",
    });
  });

  it("rejects a missing parameter and a negative fee", () => {
    const form = { ...initialRunForm("ema-cross", schema, "", SPAN), feePercent: "-1" };
    form.params = { fast_period: "" , slow_period: "26" };
    expect(buildRunBody(form, schema).errors).toEqual({
      "params.fast_period": "a number is required",
      symbol: "pick a symbol",
      fee_rate: "must be a number ≥ 0",
    });
  });
});

describe("sweeps", () => {
  it("parses comma-separated values", () => {
    expect(parseGridValues("6, 12,24")).toEqual([6, 12, 24]);
    expect(parseGridValues("6, x")).toBeNull();
    expect(parseGridValues(" , ")).toBeNull();
  });

  it("puts lists in the grid and single values in params", () => {
    const form = initialRunForm("ema-cross", schema, "binance:BTCUSDT", SPAN);
    form.params = { fast_period: "6,12", slow_period: "48" };
    const result = buildSweepBody(form, schema);
    expect(result.errors).toBeNull();
    expect(result.body?.grid).toEqual({ fast_period: [6, 12] });
    expect(result.body?.params).toEqual({ slow_period: 48 });
  });

  it("needs at least one list and checks grid bounds", () => {
    const form = initialRunForm("ema-cross", schema, "binance:BTCUSDT", SPAN);
    expect(buildSweepBody(form, schema).errors).toHaveProperty("grid");
    form.params = { fast_period: "1,12", slow_period: "48" };
    expect(buildSweepBody(form, schema).errors).toEqual({ "grid.fast_period": "must be at least 2" });
  });
});

describe("a run with a risk profile", () => {
  it("sends the profile and leaves out what it sets (size, stop-loss, take-profit)", () => {
    const form = { ...initialRunForm("ema-cross", schema, "binance:BTCUSDT", SPAN), size: "0.5", stopLossPercent: "2", takeProfitPercent: "4", riskProfile: 7 };
    const { body } = buildRunBody(form, schema);
    expect(body).toMatchObject({ risk_profile: 7, fee_rate: 0.001 });
    expect(body).not.toHaveProperty("size");
    expect(body).not.toHaveProperty("stop_loss");
    expect(body).not.toHaveProperty("take_profit");
  });

  it("sends no profile by default, and a sweep carries it too", () => {
    const form = initialRunForm("ema-cross", schema, "binance:BTCUSDT", SPAN);
    expect(buildRunBody(form, schema).body).not.toHaveProperty("risk_profile");
    const sweep = buildSweepBody({ ...form, params: { fast_period: "6, 12", slow_period: "26" }, riskProfile: 2 }, schema);
    expect(sweep.body).toMatchObject({ risk_profile: 2, grid: { fast_period: [6, 12] } });
  });
});

describe("the span", () => {
  const demo: MarketSymbol = {
    exchange: "simulated",
    name: "BTCUSDT",
    base: "BTC",
    quote: "USDT",
    market_symbol: "BTC/USDT",
    simulated: true,
    tracked_timeframes: ["5m"],
    // 2026-10-08 10:25 .. 2026-12-07 10:20 (the last 5m candle's open)
    timeframes: [{ timeframe: "5m" as const, count: 17_280, first: 1_791_455_100, last: 1_796_639_100 }],
  };

  it("defaults to the chosen symbol's stored range of the strategy's timeframe", () => {
    expect(storedSpan(demo, "5m", 300)).toEqual({ start: "2026-10-08 10:25", end: "2026-12-07 10:30", count: 17_280 });
    expect(storedSpan(demo, "1h", 3600)).toBeNull();
    const midnight = { ...demo, timeframes: [{ timeframe: "1h" as const, count: 24, first: 1_796_601_600, last: 1_796_684_400 }] };
    expect(storedSpan(midnight, "1h", 3600)).toEqual({ start: "2026-12-07", end: "2026-12-08", count: 24 });
  });

  it("takes 24-hour UTC dates, with or without a time, and says what it wants otherwise", () => {
    expect(utcField("2026-10-08 10:25")).toEqual({ iso: "2026-10-08T10:25", seconds: 1_791_455_100, error: null });
    expect(utcField("2026-10-08").seconds).toBe(1_791_417_600);
    expect(utcField("10/08/2026, 12:00 AM").error).toContain("YYYY-MM-DD");
    expect(utcField(" ").error).toBe("required");
    const form = { ...initialRunForm("ema-cross", schema, "simulated:BTCUSDT", storedSpan(demo, "5m", 300)) };
    expect(buildRunBody(form, schema).body).toMatchObject({ symbol: "BTCUSDT", exchange: "simulated", start: "2026-10-08T10:25", end: "2026-12-07T10:30" });
    expect(buildRunBody({ ...form, end: "2026-10-01" }, schema).errors).toEqual({ end: "must be after start" });
  });
});
