import { describe, expect, it } from "vitest";
import { candleIndexAt, countAtOrBefore, timesContain } from "./cursor";

const HOUR = 3600;
const T0 = 1_704_067_200;
const hourly = Array.from({ length: 24 }, (_, i) => T0 + i * HOUR);
const fourHourly = Array.from({ length: 6 }, (_, i) => T0 + i * 4 * HOUR);
const fiveMinute = Array.from({ length: 288 }, (_, i) => T0 + i * 300);

describe("countAtOrBefore", () => {
  it("counts the items at or before a time", () => {
    expect(countAtOrBefore([10, 20, 20, 30], 5)).toBe(0);
    expect(countAtOrBefore([10, 20, 20, 30], 20)).toBe(3);
    expect(countAtOrBefore([10, 20, 20, 30], 25)).toBe(3);
    expect(countAtOrBefore([10, 20, 20, 30], 99)).toBe(4);
    expect(countAtOrBefore([], 99)).toBe(0);
  });
});

describe("candleIndexAt: cursor mapping between timeframes", () => {
  it("maps a 1h cursor to the 4h candle that contains it", () => {
    const cursor = hourly[10] as number; // 10:00
    expect(fourHourly[candleIndexAt(fourHourly, cursor)]).toBe(T0 + 8 * HOUR);
    expect(fourHourly[candleIndexAt(fourHourly, T0 + 11 * HOUR + 3599)]).toBe(T0 + 8 * HOUR);
    expect(fourHourly[candleIndexAt(fourHourly, T0 + 12 * HOUR)]).toBe(T0 + 12 * HOUR);
  });

  it("maps a 4h cursor to the 1h and 5m candles opening at the same moment", () => {
    const cursor = fourHourly[2] as number; // 08:00
    expect(hourly[candleIndexAt(hourly, cursor)]).toBe(cursor);
    expect(fiveMinute[candleIndexAt(fiveMinute, cursor)]).toBe(cursor);
  });

  it("maps a 5m cursor to the hour containing it", () => {
    expect(hourly[candleIndexAt(hourly, T0 + 5 * HOUR + 55 * 60)]).toBe(T0 + 5 * HOUR);
  });

  it("clamps before the first candle and has no index without candles", () => {
    expect(candleIndexAt(hourly, T0 - 1)).toBe(0);
    expect(candleIndexAt([], T0)).toBe(-1);
  });
});

describe("timesContain", () => {
  it("spans from the first open to the end of the last candle", () => {
    expect(timesContain(hourly, T0)).toBe(true);
    expect(timesContain(hourly, T0 + 23 * HOUR + 3599)).toBe(true);
    expect(timesContain(hourly, T0 + 24 * HOUR)).toBe(false);
    expect(timesContain(hourly, T0 - 1)).toBe(false);
    expect(timesContain([], T0)).toBe(false);
    expect(timesContain([T0], T0)).toBe(true);
  });
});
