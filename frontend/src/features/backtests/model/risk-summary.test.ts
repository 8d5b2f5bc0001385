import { describe, expect, it } from "vitest";
import { blockedTotal, profileNameOf } from "./risk-summary";

describe("risk summary of a run", () => {
  it("reads the blocked total, null without a profile or a report", () => {
    expect(blockedTotal({ blocked: { cooldown: 3 }, blocked_total: 3 })).toBe(3);
    expect(blockedTotal({ blocked: {}, blocked_total: 0 })).toBe(0);
    expect(blockedTotal(null)).toBeNull();
    expect(blockedTotal({ blocked_total: "3" })).toBeNull();
  });

  it("names the profile from the copy of its values", () => {
    expect(profileNameOf({ id: 1, name: "Tight" })).toBe("Tight");
    expect(profileNameOf(null)).toBeNull();
  });
});
