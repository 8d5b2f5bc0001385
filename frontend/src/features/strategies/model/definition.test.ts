import { describe, expect, it } from "vitest";
import type { DefinitionBody } from "../api/types";
import { normalizeDefinition } from "./definition";

const params = [{ name: "fast", type: "integer" as const, default: 12, minimum: 5, maximum: 50, description: "" }];
const body: DefinitionBody = {
  id: 3,
  name: "EMA",
  key: "user-3-v2",
  version: 2,
  source: "x",
  schema: { params, base_timeframe: "1h", context_timeframes: ["4h"], stops: { stop_loss: 0.02 }, warmup: { base: 30, context: { "4h": 5 } }, lines: ["fast"] },
  check: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-02T00:00:00Z",
};

describe("a saved strategy", () => {
  it("reads the current version's facts on the strategy itself", () => {
    expect(normalizeDefinition(body)).toMatchObject({
      params,
      base_timeframe: "1h",
      context_timeframes: ["4h"],
      stops: { stop_loss: 0.02 },
      lines: ["fast"],
      check: null,
    });
    expect(normalizeDefinition(body)).not.toHaveProperty("schema");
  });
});
