import { describe, expect, it } from "vitest";
import { monthlyGrid } from "./monthly-grid";

describe("monthlyGrid", () => {
  it("places each month in its year's row and column, oldest year first, with the year's total", () => {
    const rows = monthlyGrid(
      [
        { period: "2023-12", return_fraction: 0.01 },
        { period: "2024-01", return_fraction: -0.02 },
        { period: "2024-03", return_fraction: null },
      ],
      [
        { period: "2024", return_fraction: -0.03 },
        { period: "2023", return_fraction: 0.01 },
      ],
    );
    expect(rows.map((r) => r.year)).toEqual(["2023", "2024"]);
    expect(rows[0]!.months[11]).toBe(0.01);
    expect(rows[0]!.months.slice(0, 11).every((m) => m === null)).toBe(true);
    expect(rows[1]!.months.slice(0, 3)).toEqual([-0.02, null, null]);
    expect(rows.map((r) => r.total)).toEqual([0.01, -0.03]);
  });

  it("is empty for a run without months", () => {
    expect(monthlyGrid([], [])).toEqual([]);
  });
});
