import { describe, expect, it } from "vitest";
import { checkState, formatRange, formatStops, formatWarmup, nameProblem, saveBody, savedMessage } from "./workspace";

describe("saving a strategy", () => {
  it("sends everything for a new one and only what changed for a saved one", () => {
    expect(saveBody(null, "  EMA trend ", "timeframe = \"5m\"")).toEqual({ name: "EMA trend", source: 'timeframe = "5m"' });
    const saved = { name: "EMA trend", source: "a = 1" };
    expect(saveBody(saved, "EMA trend", "a = 1")).toBeNull();
    expect(saveBody(saved, "EMA trend ", "a = 2")).toEqual({ source: "a = 2" });
    expect(saveBody(saved, "Renamed", "a = 1")).toEqual({ name: "Renamed" });
  });

  it("refuses an empty or too long name before sending", () => {
    expect(nameProblem("  ")).toBe("Give the strategy a name.");
    expect(nameProblem("x".repeat(101))).toContain("100");
    expect(nameProblem("EMA")).toBeNull();
  });

  it("says which version was made and that older runs keep theirs", () => {
    expect(savedMessage(null, { version: 1, key: "user-3-v1" })).toBe("Saved as version 1 (user-3-v1).");
    expect(savedMessage({ version: 2, key: "user-3-v2" }, { version: 3, key: "user-3-v3" })).toBe(
      "Saved as version 3 (user-3-v3). Backtests and bots made with version 2 keep running version 2 (user-3-v2).",
    );
    expect(savedMessage({ version: 2, key: "user-3-v2" }, { version: 2, key: "user-3-v2" })).toContain("same version");
  });
});

describe("a strategy's facts", () => {
  it("read in words", () => {
    expect(formatStops({ stop_loss: 0.02, take_profit: 0.04 })).toBe("stop-loss 2 %, take-profit 4 %");
    expect(formatStops({ stop_loss: 0.015 })).toBe("stop-loss 1.5 %");
    expect(formatStops({})).toBe("none");
    expect(formatStops(null)).toBe("none");
    expect(formatRange({ minimum: 5, maximum: 50 })).toBe("5..50");
    expect(formatWarmup("5m", { base: 131, context: { "4h": 202 } })).toBe("131 candles of 5m; 4h: 202");
  });

  it("the check: pending until the API has one, then ok or its findings", () => {
    expect(checkState(null)).toEqual({ kind: "pending" });
    expect(checkState({ ok: true, findings: [] })).toEqual({ kind: "checked", ok: true, messages: [] });
    expect(checkState({ ok: false, findings: [{ message: "long_entry reads the 4h candle before it closes" }] })).toEqual({
      kind: "checked",
      ok: false,
      messages: ["long_entry reads the 4h candle before it closes"],
    });
    expect(checkState({ ok: false, findings: [] })).toEqual({ kind: "checked", ok: false, messages: ["The check did not pass."] });
  });
});
