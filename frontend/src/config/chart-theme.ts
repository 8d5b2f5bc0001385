import { ColorType, CrosshairMode, type DeepPartial, type ChartOptions } from "lightweight-charts";

export const COLORS = {
  background: "#0f1420",
  text: "#aab4c8",
  grid: "rgba(148, 163, 184, 0.08)",
  border: "rgba(148, 163, 184, 0.2)",
  candleUp: "#26a69a",
  candleDown: "#ef5350",
  sma: "#f5c542",
  hma1h: "#4fa3ff",
  hma4h: "#c77dff",
  baseSma: "#ffd98a", // dashed: the base-timeframe SMA the signals use
} as const;

export const CHART_OPTIONS: DeepPartial<ChartOptions> = {
  autoSize: true,
  layout: {
    background: { type: ColorType.Solid, color: COLORS.background },
    textColor: COLORS.text,
    fontFamily: "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    attributionLogo: true,
  },
  grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
  crosshair: { mode: CrosshairMode.Normal },
  rightPriceScale: { borderColor: COLORS.border },
  timeScale: {
    borderColor: COLORS.border,
    timeVisible: true,
    secondsVisible: false,
    // Empty bars right of the cursor candle, so the newest candle is not glued to the price scale.
    rightOffset: 6,
  },
};

// Candle slots shown when data loads: enough context to read the trend, with bars wide enough to
// see. With fewer candles up to the cursor, they fill the width, but never wider than MIN slots.
export const CANDLE_SLOTS_ON_LOAD = 180;
export const MIN_CANDLE_SLOTS_ON_LOAD = 60;
