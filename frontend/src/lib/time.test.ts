import { describe, expect, it } from "vitest";
import { formatUtc, parseUtc, toDateTimeInputValue } from "./time";

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
