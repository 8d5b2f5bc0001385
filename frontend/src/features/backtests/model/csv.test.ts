import { describe, expect, it } from "vitest";
import type { BacktestRun, BacktestTrade } from "../api/types";
import { csvField, parseCsv, runsCsv, toCsv, tradesCsv } from "./csv";

const trade: BacktestTrade = {
  number: 0,
  side: "long",
  entry_time: 1717200000,
  exit_time: 1717203600,
  entry_price: 67512.3,
  exit_price: 67600.12345678901,
  size: 0.1481,
  entry_fee: 0.1,
  exit_fee: 0.30000000000000004,
  pnl: -12.5,
  return_fraction: -0.0012,
  exit_reason: "stop_loss",
};

describe("csvField", () => {
  it("quotes commas, quotes and line breaks, doubling the quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r")).toBe('"cr\r"');
  });

  it("writes numbers so they read back equal, and nothing for null or non-finite", () => {
    expect(Number(csvField(0.30000000000000004))).toBe(0.30000000000000004);
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField(Number.NaN)).toBe("");
    expect(csvField(false)).toBe("false");
  });
});

describe("toCsv / parseCsv", () => {
  it("round-trips fields with every special character, CRLF line ends", () => {
    const rows = [["a,b", 'q"uote', "line\r\nbreak"], [1, null, "x"]];
    const text = toCsv(["h1", "h2", "h3"], rows);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(parseCsv(text)).toEqual([["h1", "h2", "h3"], ["a,b", 'q"uote', "line\r\nbreak"], ["1", "", "x"]]);
  });
});

describe("tradesCsv", () => {
  it("has the trades endpoint's fields and values, then the times in ISO UTC", () => {
    const [header, row] = parseCsv(tradesCsv([trade]));
    expect(header).toEqual([
      "number", "side", "entry_time", "exit_time", "entry_price", "exit_price", "size",
      "entry_fee", "exit_fee", "pnl", "return_fraction", "exit_reason", "entry_time_utc", "exit_time_utc",
    ]);
    const record = Object.fromEntries(header!.map((name, i) => [name, row![i]]));
    expect(Number(record.exit_price)).toBe(trade.exit_price);
    expect(Number(record.exit_fee)).toBe(trade.exit_fee);
    expect(record.exit_reason).toBe("stop_loss");
    expect(record.entry_time_utc).toBe("2024-06-01T00:00:00Z");
    expect(record.exit_time_utc).toBe("2024-06-01T01:00:00Z");
  });
});

describe("runsCsv", () => {
  it("writes a run's identity, span, JSON params (quoted) and raw KPIs; a run without KPIs has empty cells", () => {
    const run = {
      id: 7, sweep: 3, status: "done", strategy: "ema-cross", strategy_name: "EMA cross, fast", exchange: "binance",
      symbol: "BTCUSDT", timeframe: "5m", start: 1717200000, end: 1717286400, params: { fast_period: 12, slow_period: 26 },
      fee_rate: 0.001, slippage_bps: 0, initial_capital: 10000, error: "",
      kpis: { total_return: 0.0123, sharpe: null },
    } as unknown as BacktestRun;
    const queued = { ...run, id: 8, sweep: null, status: "queued", kpis: null } as unknown as BacktestRun;
    const [header, first, second] = parseCsv(runsCsv([run, queued]));
    const record = Object.fromEntries(header!.map((name, i) => [name, first![i]]));
    expect(record.strategy_name).toBe("EMA cross, fast");
    expect(JSON.parse(record.params!)).toEqual({ fast_period: 12, slow_period: 26 });
    expect(record.start_utc).toBe("2024-06-01T00:00:00Z");
    expect(record.total_return).toBe("0.0123");
    expect(record.sharpe).toBe("");
    expect(second![header!.indexOf("sweep")]).toBe("");
    expect(second![header!.indexOf("total_return")]).toBe("");
  });
});
