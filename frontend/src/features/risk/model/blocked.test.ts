import { describe, expect, it } from "vitest";
import type { RiskReport } from "../api/types";
import { blockedRows, sizingSummary } from "./blocked";

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
