import { matchRoutes } from "react-router";
import { describe, expect, it } from "vitest";
import { routes } from "./routes";

/** The route pattern a URL lands on, with its parameters. */
function landing(url: string) {
  const match = matchRoutes(routes, url)?.at(-1);
  return match ? { path: match.route.path, params: { ...match.params } } : null;
}

describe("the app's URLs", () => {
  it("open the page they name, with its ids", () => {
    expect(landing("/")).toEqual({ path: "/", params: {} });
    expect(landing("/backtests")).toEqual({ path: "/backtests", params: {} });
    expect(landing("/backtests/12")).toEqual({ path: "/backtests/:runId", params: { runId: "12" } });
    expect(landing("/backtests/compare?ids=3,5")).toEqual({ path: "/backtests/compare", params: {} });
    expect(landing("/backtests/sweeps/3")).toEqual({ path: "/backtests/sweeps/:sweepId", params: { sweepId: "3" } });
    expect(landing("/optimisation")?.path).toBe("/optimisation");
    expect(landing("/optimisation/studies/4")).toEqual({ path: "/optimisation/studies/:studyId", params: { studyId: "4" } });
    expect(landing("/optimisation/walk-forwards/2")).toEqual({ path: "/optimisation/walk-forwards/:walkId", params: { walkId: "2" } });
    expect(landing("/risk")?.path).toBe("/risk");
    expect(landing("/accounts")?.path).toBe("/accounts");
    expect(landing("/alerts")?.path).toBe("/alerts");
    expect(landing("/bots/7")).toEqual({ path: "/bots/:botId", params: { botId: "7" } });
    expect(landing("/dashboard")?.path).toBe("/dashboard");
    expect(landing("/strategies")?.path).toBe("/strategies");
    expect(landing("/strategies/new")).toEqual({ path: "/strategies/new", params: {} });
    expect(landing("/strategies/new?from=ema-cross")?.path).toBe("/strategies/new");
    expect(landing("/strategies/5")).toEqual({ path: "/strategies/:strategyId", params: { strategyId: "5" } });
    expect(landing("/login")?.path).toBe("/login");
    expect(landing("/signup")?.path).toBe("/signup");
  });

  it("send anything else to the not-found page", () => {
    for (const url of ["/nope", "/backtests/12/extra", "/bots/7/extra", "/strategies/5/extra"]) expect(landing(url)?.path).toBe("*");
  });

  it("keep the risk, accounts, backtests and strategies pages behind sign-in", () => {
    for (const path of ["/risk", "/accounts", "/alerts", "/backtests", "/backtests/compare", "/strategies", "/strategies/new", "/strategies/:strategyId", "/optimisation", "/optimisation/studies/:studyId", "/optimisation/walk-forwards/:walkId"]) {
      const route = routes.find((r) => r.path === path);
      expect((route?.element as { type?: { name?: string } } | undefined)?.type?.name).toBe("RequireAuth");
    }
  });

  it("give every page a title for the header", () => {
    for (const route of routes) expect((route.handle as { title?: string } | undefined)?.title).toBeTruthy();
  });
});

describe("the header's links", () => {
  it("lead to routed pages, Strategies among them", async () => {
    const { NAV } = await import("./nav");
    expect(NAV.find((item) => item.label === "Strategies")).toMatchObject({ to: "/strategies", testId: "nav-strategies" });
    for (const item of NAV) expect(landing(item.to)?.path).toBe(item.to);
    expect(new Set(NAV.map((item) => item.testId)).size).toBe(NAV.length);
  });
});
