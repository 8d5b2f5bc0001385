import { describe, expect, it } from "vitest";
import type { RiskReport } from "../api/types";
import { blockedRows, formatSizes, parseRiskReport, riskProfileName, sizingSummary } from "./blocked";

const REPORT: RiskReport = {
  blocked: { cooldown: 9, daily_loss: 12, drawdown: 0, mystery: 1 },
  blocked_total: 19,
  examples: { cooldown: "cooldown: 6 of 12 bars after a stop-loss", daily_loss: "daily loss limit 3% reached at 13:40 UTC" },
  sized_by: { max_position_fraction: 3, risk_per_trade: 12 },
  sizes: { min: 0.07, max: 0.08, mean: 0.074 },
  kill_switch: null,
};

describe("blocked entries", () => {
  it("lists each refusing rule with its count and example, most first", () => {
    expect(blockedRows(REPORT)).toEqual([
      { rule: "daily_loss", label: "Daily loss limit", count: 12, example: "daily loss limit 3% reached at 13:40 UTC" },
      { rule: "cooldown", label: "Cooldown after a stop-loss", count: 9, example: "cooldown: 6 of 12 bars after a stop-loss" },
      { rule: "mystery", label: "mystery", count: 1, example: "" },
    ]);
  });

  it("says what sized the entries", () => {
    expect(sizingSummary(REPORT)).toBe("Sized 12 by risk per trade, 3 by the max position cap");
    expect(sizingSummary({ ...REPORT, sized_by: {} })).toBe("No entry taken");
  });
});

describe("the run's risk_report as the API sends it", () => {
  it("reads a report, and nothing from a run without a profile or an unknown shape", () => {
    const raw = JSON.parse(JSON.stringify({ ...REPORT, kill_switch: { time: 1709952300, bar: 2336, reason: "drawdown kill switch" } }));
    expect(parseRiskReport(raw)).toEqual({ ...REPORT, kill_switch: { time: 1709952300, bar: 2336, reason: "drawdown kill switch" } });
    expect(parseRiskReport(null)).toBeNull();
    expect(parseRiskReport({ blocked: { cooldown: "9" }, blocked_total: 9 })).toBeNull();
    expect(parseRiskReport({ blocked: {}, blocked_total: 0 })).toEqual({
      blocked: {},
      blocked_total: 0,
      examples: {},
      sized_by: {},
      sizes: null,
      kill_switch: null,
    });
  });

  it("names the profile from the run's copy of its values", () => {
    expect(riskProfileName({ id: 3, name: "Tight", stop_loss: 0.01 })).toBe("Tight");
    expect(riskProfileName(null)).toBeNull();
  });

  it("gives the sizes in the base asset", () => {
    expect(formatSizes({ min: 0.07122, max: 0.07849, mean: 0.0739 }, "BTC")).toBe("0.07122 – 0.07849 BTC (mean 0.0739)");
    expect(formatSizes({ min: 1.5, max: 1.5, mean: 1.5 }, "BTC")).toBe("1.5 BTC");
    expect(formatSizes(null, "BTC")).toBe("no entry taken");
  });
});
