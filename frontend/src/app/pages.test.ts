import { describe, expect, it } from "vitest";
import { pageFromSearch } from "./pages";

describe("pageFromSearch", () => {
  it("defaults to the replay", () => {
    expect(pageFromSearch("")).toBe("replay");
    expect(pageFromSearch("?symbol=BTCUSDT&timeframe=1h")).toBe("replay");
    expect(pageFromSearch("?page=nope")).toBe("replay");
  });
  it("reads the backtests page", () => {
    expect(pageFromSearch("?page=backtests&run=3")).toBe("backtests");
  });
});
