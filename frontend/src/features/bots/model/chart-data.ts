// The bot page's chart data: the strategy's lines out of /api/strategies/<key>/run/ (every array
// aligned to the candles), and the bot's fills as markers.
import type { BotOrder } from "../api/types";

export interface RunCandle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export interface LineData {
  name: string;
  points: { time: number; value: number }[];
}

/** Every numeric array aligned to the candles (sma, ema_fast, hma: {1h: [...]}, ...) as a line. */
export function strategyLines(run: Record<string, unknown>, candles: RunCandle[]): LineData[] {
  const lines: LineData[] = [];
  const add = (name: string, values: unknown) => {
    if (!Array.isArray(values) || values.length !== candles.length) return;
    if (!values.every((v) => v === null || typeof v === "number")) return;
    const points = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number | null;
      if (v !== null && Number.isFinite(v)) points.push({ time: candles[i]!.time, value: v });
    }
    lines.push({ name, points });
  };
  for (const [key, value] of Object.entries(run)) {
    if (key === "candles" || key === "entries" || key === "timeline") continue;
    if (Array.isArray(value)) add(key, value);
    else if (value && typeof value === "object") for (const [sub, values] of Object.entries(value)) add(`${key} ${sub}`, values);
  }
  return lines;
}

export interface FillMarker {
  time: number;
  position: "aboveBar" | "belowBar";
  color: string;
  shape: "arrowUp" | "arrowDown";
  text: string;
}

/** A marker per filled order, on the candle whose open filled it: buys below, sells above. */
export function fillMarkers(orders: BotOrder[], candleSeconds: number): FillMarker[] {
  return orders
    .filter((o) => o.fill_candle !== null && Number(o.filled_quantity) > 0)
    .map((o) => {
      const buy = o.side === "buy";
      const time = o.fill_candle! - (o.fill_candle! % candleSeconds);
      return {
        time,
        position: buy ? ("belowBar" as const) : ("aboveBar" as const),
        color: buy ? "#26a69a" : "#ef5350",
        shape: buy ? ("arrowUp" as const) : ("arrowDown" as const),
        text: `${o.side} ${o.leg}`,
      };
    })
    .sort((a, b) => a.time - b.time);
}
