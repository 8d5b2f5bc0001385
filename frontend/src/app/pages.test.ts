import { describe, expect, it } from "vitest";
import { legacyPagePath, preselectedStrategy, routeId, strategyPaths } from "./pages";

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

describe("strategy links", () => {
  it("open the backtest and bot forms with the strategy chosen, and read it back", () => {
    expect(strategyPaths.backtest("user-12-v3")).toBe("/backtests?strategy=user-12-v3");
    expect(strategyPaths.paperBot("user-12-v3")).toBe("/bots?strategy=user-12-v3");
    expect(preselectedStrategy("?strategy=user-12-v3")).toBe("user-12-v3");
    expect(preselectedStrategy(new URL(`http://x${strategyPaths.backtest("ema-cross")}`).search)).toBe("ema-cross");
    for (const bad of ["", "?strategy=", "?strategy=a%20b", "?strategy=../x", `?strategy=${"x".repeat(101)}`]) expect(preselectedStrategy(bad)).toBeNull();
  });

  it("name the editor pages", () => {
    expect(strategyPaths.edit(7)).toBe("/strategies/7");
    expect(strategyPaths.create()).toBe("/strategies/new");
    expect(strategyPaths.create("ema-cross")).toBe("/strategies/new?from=ema-cross");
  });
});
