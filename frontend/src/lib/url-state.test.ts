import { describe, expect, it } from "vitest";
import { formatUrlQuery, parseUrlQuery } from "./url-state";

describe("url state", () => {
  it("reads back what it writes", () => {
    const query = { symbol: "BTCUSDT", timeframe: "15m" as const, start: "2024-03-01T00:00", end: "2024-03-05", limit: 800, t: 1709300000 };
    expect(parseUrlQuery(formatUrlQuery(query))).toEqual(query);
  });

  it("leaves out empty values and keeps a stable key order", () => {
    expect(formatUrlQuery({ t: 5, symbol: "SOLUSDT", start: "", end: undefined })).toBe("?symbol=SOLUSDT&t=5");
    expect(formatUrlQuery({})).toBe("");
  });

  it("drops an unknown timeframe and non-numeric numbers, and upper-cases the symbol", () => {
    expect(parseUrlQuery("?symbol=nopeusdt&timeframe=2h&limit=abc&t=-4")).toEqual({
      symbol: "NOPEUSDT",
      timeframe: undefined,
      start: undefined,
      end: undefined,
      limit: undefined,
      t: undefined,
    });
  });
});
