import { describe, expect, it } from "vitest";
import { loginPathFor, safeNextPath } from "./next-path";

describe("safeNextPath", () => {
  it("keeps a path of this app, with its query", () => {
    expect(safeNextPath("/backtests/12")).toBe("/backtests/12");
    expect(safeNextPath("/?symbol=BTCUSDT&t=5")).toBe("/?symbol=BTCUSDT&t=5");
  });

  it("refuses other sites, relative paths and the sign-in pages", () => {
    for (const next of ["//evil.example/x", "/\\evil.example", "https://evil.example", "backtests", "", null, undefined, "/login", "/signup?next=/x"]) {
      expect(safeNextPath(next)).toBe("/dashboard");
    }
  });

  it("builds the sign-in URL that comes back", () => {
    expect(loginPathFor("/backtests/12?x=1")).toBe("/login?next=%2Fbacktests%2F12%3Fx%3D1");
    expect(safeNextPath(new URLSearchParams(loginPathFor("/backtests/12?x=1").split("?")[1]).get("next"))).toBe("/backtests/12?x=1");
  });
});
