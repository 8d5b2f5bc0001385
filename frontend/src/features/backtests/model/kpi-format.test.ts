import { describe, expect, it } from "vitest";
import { formatDuration, formatKpi, kpiRows, kpiTone } from "./kpi-format";

describe("formatKpi", () => {
  it("formats each kind", () => {
    expect(formatKpi(-0.2545139873110224, "percent")).toBe("-25.45%");
    expect(formatKpi(7454.8601268897755, "money")).toBe("7,454.86");
    expect(formatKpi(-19.06009923932007, "ratio")).toBe("-19.06");
    expect(formatKpi(155, "count")).toBe("155");
    expect(formatKpi(1208700000, "duration")).toBe("14.0 d");
  });

  it("shows a dash for missing or non-finite values", () => {
    expect(formatKpi(null, "percent")).toBe("—");
    expect(formatKpi(undefined, "money")).toBe("—");
    expect(formatKpi(Number.NaN, "ratio")).toBe("—");
  });

  it("formats durations in minutes, hours or days", () => {
    expect(formatDuration(25 * 60_000)).toBe("25 min");
    expect(formatDuration(7798064.5)).toBe("2.2 h");
  });
});

describe("kpiRows", () => {
  it("keeps the defined order and only known KPIs that are present", () => {
    const rows = kpiRows({ sharpe: 1.5, total_return: 0.1, unknown: 3 });
    expect(rows.map((row) => row.key)).toEqual(["total_return", "sharpe"]);
    expect(rows[0]).toEqual({ key: "total_return", label: "Total return", text: "10.00%", tone: "up" });
  });

  it("colors returns by sign only", () => {
    expect(kpiTone("net_profit", -1)).toBe("down");
    expect(kpiTone("max_drawdown", 0.3)).toBe("");
  });
});
