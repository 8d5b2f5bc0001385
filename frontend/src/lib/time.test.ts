import { describe, expect, it } from "vitest";
import { formatLocalTitle, formatUtc, isoToEpoch, parseUtc, toDateTimeInputValue } from "./time";

const T = 1_723_910_100; // 2024-08-17 15:55 UTC

describe("time", () => {
  it("formats epoch seconds in UTC", () => {
    expect(formatUtc(T)).toBe("2024-08-17 15:55 UTC");
    expect(formatUtc(T, { dateOnly: true })).toBe("2024-08-17");
    expect(toDateTimeInputValue(T)).toBe("2024-08-17T15:55");
  });

  it("parses dates as UTC like the API", () => {
    expect(parseUtc("2024-08-17T15:55")).toBe(T);
    expect(parseUtc("2024-08-17")).toBe(T - (15 * 3600 + 55 * 60));
    expect(parseUtc(String(T))).toBe(T);
    expect(parseUtc("2024-08-17T17:55+02:00")).toBe(T);
    expect(parseUtc("")).toBeNull();
    expect(parseUtc("soon")).toBeNull();
  });
});

describe("local time on hover, API date-times", () => {
  it("says the local time for a tooltip, without seconds", () => {
    expect(formatLocalTitle(1722000000)).toMatch(/^local time: 2024-07-2[56] \d\d:\d\d(?! ?:)/);
  });

  it("reads the API's ISO date-times as epoch seconds, null when absent or bad", () => {
    expect(isoToEpoch("2026-11-28T18:00:00Z")).toBe(1795888800);
    expect(isoToEpoch("2026-11-28T19:00:00+01:00")).toBe(1795888800);
    expect(isoToEpoch(null)).toBeNull();
    expect(isoToEpoch("yesterday")).toBeNull();
  });
});
