import { describe, expect, it } from "vitest";
import type { StrategyEntry, StrategyRun } from "@/lib/api-types";
import { lineValueAt, toCandleData, toChartMarkers, toEntryMarkers, toLineData, toPlaybackSeriesData } from "./series-data";

const T0 = 1_704_067_200;
const H = 3600;

function entry(time: number, side: "long" | "short", barOffset: number, price = 100): StrategyEntry {
  return { time, side, bar_time: time + barOffset, price };
}

function run(overrides: Partial<StrategyRun> = {}): StrategyRun {
  const candles = [0, 1, 2].map((i) => ({ time: T0 + i * H, open: 10 + i, high: 12 + i, low: 9 + i, close: 11 + i, volume: 5 }));
  return {
    strategy: "hma-sma",
    params: { sma_period: 200, hma_period: 200 },
    symbol: "BTCUSDT",
    exchange: "binance",
    simulated: false,
    timeframe: "1h",
    base_timeframe: "5m",
    warmup_complete: true,
    candles,
    sma: [null, 10.5, 11.5],
    hma: { "1h": [1, 2, 3], "4h": [null, null, 7] },
    entries: [],
    timeline: candles.map((c) => ({ time: c.time, long: false, short: false })),
    should_enter_long: false,
    should_enter_short: false,
    ...overrides,
  };
}

describe("toCandleData", () => {
  it("keeps time and OHLC, drops volume", () => {
    expect(toCandleData([{ time: T0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 9 }])).toEqual([
      { time: T0, open: 1, high: 2, low: 0.5, close: 1.5 },
    ]);
  });
});

describe("toLineData", () => {
  it("turns null and non-finite values into whitespace at the same time", () => {
    const times = [T0, T0 + H, T0 + 2 * H, T0 + 3 * H];
    expect(toLineData(times, [null, 5, Number.NaN, 7])).toEqual([
      { time: T0 },
      { time: T0 + H, value: 5 },
      { time: T0 + 2 * H },
      { time: T0 + 3 * H, value: 7 },
    ]);
  });

  it("pads a short value array with whitespace so every candle has a point", () => {
    expect(toLineData([T0, T0 + H], [1])).toEqual([{ time: T0, value: 1 }, { time: T0 + H }]);
  });

  it("keeps zero as a value", () => {
    expect(toLineData([T0], [0])).toEqual([{ time: T0, value: 0 }]);
  });
});

describe("markers projection", () => {
  const entries = [
    entry(T0 + 2 * H, "short", 600),
    entry(T0, "long", 300, 101),
    entry(T0, "long", 900, 102),
    entry(T0, "short", 1500),
  ];

  it("groups entries by displayed candle and side, in time order", () => {
    const markers = toEntryMarkers(entries);
    expect(markers.map((m) => [m.time, m.side, m.entries.length])).toEqual([
      [T0, "long", 2],
      [T0, "short", 1],
      [T0 + 2 * H, "short", 1],
    ]);
    expect(markers[0]?.entries.map((e) => e.bar_time)).toEqual([T0 + 300, T0 + 900]);
  });

  it("draws longs as up arrows below the bar and shorts as down arrows above it", () => {
    const chartMarkers = toChartMarkers(toEntryMarkers(entries));
    expect(chartMarkers[0]).toMatchObject({ time: T0, shape: "arrowUp", position: "belowBar", text: "×2", id: `long-${T0}` });
    expect(chartMarkers[1]).toMatchObject({ time: T0, shape: "arrowDown", position: "aboveBar" });
    expect(chartMarkers[1]).not.toHaveProperty("text");
  });
});

describe("toPlaybackSeriesData", () => {
  it("aligns every line to the candles", () => {
    const data = toPlaybackSeriesData(run({ entries: [entry(T0 + H, "long", 300)] }));
    expect(data.times).toEqual([T0, T0 + H, T0 + 2 * H]);
    expect(data.lines.sma).toHaveLength(3);
    expect(lineValueAt(data.lines.sma, 0)).toBeNull();
    expect(lineValueAt(data.lines.sma, 1)).toBe(10.5);
    expect(lineValueAt(data.lines.hma4h, 2)).toBe(7);
    expect(lineValueAt(data.lines.hma1h, 99)).toBeNull();
    expect(data.markerTimes).toEqual([T0 + H]);
    expect(data.entryTimes).toEqual([T0 + H]);
    expect(data.chartMarkers).toHaveLength(1);
  });
});

describe("the base-timeframe SMA", () => {
  const withBase = run({ base_indicators: { sma: [null, 10.4, 11.6] } });

  it("is drawn only when asked for and the run has it", () => {
    expect(toPlaybackSeriesData(withBase).baseSmaShown).toBe(false);
    expect(toPlaybackSeriesData(withBase).lines.baseSma.every((p) => !("value" in p))).toBe(true);
    const shown = toPlaybackSeriesData(withBase, { baseSma: true });
    expect(shown.baseSmaShown).toBe(true);
    expect(shown.lines.baseSma.map((p) => lineValueAt([p], 0))).toEqual([null, 10.4, 11.6]);
    expect(toPlaybackSeriesData(run(), { baseSma: true }).baseSmaShown).toBe(false); // at the base timeframe: none
  });
});
