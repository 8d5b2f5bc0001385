import { describe, expect, it } from "vitest";
import { legacyPagePath, routeId } from "./pages";

describe("old ?page= links", () => {
  it("point to the routed pages", () => {
    expect(legacyPagePath("?page=backtests")).toBe("/backtests");
    expect(legacyPagePath("?page=backtests&run=12")).toBe("/backtests/12");
    expect(legacyPagePath("?page=backtests&sweep=3")).toBe("/backtests/sweeps/3");
    expect(legacyPagePath("?page=backtests&run=abc")).toBe("/backtests");
  });

  it("leave the replay's own URLs alone", () => {
    expect(legacyPagePath("")).toBeNull();
    expect(legacyPagePath("?symbol=BTCUSDT&timeframe=1h")).toBeNull();
    expect(legacyPagePath("?page=replay")).toBeNull();
  });
});

describe("route ids", () => {
  it("accept positive integers only", () => {
    expect(routeId("12")).toBe(12);
    for (const bad of [undefined, "", "0", "-1", "1.5", "12abc", "012", "99999999999999999999"]) expect(routeId(bad)).toBeNull();
  });
});
