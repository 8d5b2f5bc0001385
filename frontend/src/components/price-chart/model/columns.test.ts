import { describe, expect, it } from "vitest";
import { candleData, indexAtOrBefore, lineColor, lineData, volumeData } from "./columns";

const columns = { time: [60, 120, 180], open: [10, 11, 12], high: [12, 13, 14], low: [9, 10, 11], close: [11, 10, 13], volume: [5, 6, 7] };

describe("columns", () => {
  it("builds one candle per index", () => {
    expect(candleData(columns)[1]).toEqual({ time: 120, open: 11, high: 13, low: 10, close: 10 });
  });

  it("colours volume bars as their candle and has none without volume", () => {
    const bars = volumeData(columns);
    expect(bars.map((b) => b.value)).toEqual([5, 6, 7]);
    expect(bars[0]!.color).not.toBe(bars[1]!.color); // up, then down
    expect(bars[0]!.color).toBe(bars[2]!.color);
    expect(volumeData({ ...columns, volume: undefined })).toEqual([]);
  });

  it("turns missing line values into gaps, keeping one point per candle", () => {
    expect(lineData(columns.time, [null, 2, Number.NaN])).toEqual([{ time: 60 }, { time: 120, value: 2 }, { time: 180 }]);
  });

  it("finds the candle containing a time", () => {
    expect(indexAtOrBefore(columns.time, 59)).toBe(-1);
    expect(indexAtOrBefore(columns.time, 60)).toBe(0);
    expect(indexAtOrBefore(columns.time, 179)).toBe(1);
    expect(indexAtOrBefore(columns.time, 1e9)).toBe(2);
  });

  it("gives hma-sma's lines the playback page's colours", () => {
    expect(lineColor("hma 1h", 0)).not.toBe(lineColor("sma", 0));
    expect(lineColor("ema_fast", 0)).not.toBe(lineColor("ema_slow", 1));
  });
});
