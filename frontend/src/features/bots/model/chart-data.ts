// The bot page's chart data: the strategy's lines out of /api/strategies/<key>/run/ (every array
// aligned to the candles), and the bot's fills as markers.
import type { BotOrder } from "../api/types";

export interface RunCandle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
}

/** A line aligned to the candles: values[i] belongs to candle i, null where undefined. */
export interface LineData {
  name: string;
  values: (number | null)[];
}

/** The run endpoint's candle rows as the chart's columns. */
export function candleColumns(candles: readonly RunCandle[]) {
  return {
    time: candles.map((c) => c.time),
    open: candles.map((c) => c.open),
    high: candles.map((c) => c.high),
    low: candles.map((c) => c.low),
    close: candles.map((c) => c.close),
    volume: candles.every((c) => typeof c.volume === "number") ? candles.map((c) => c.volume!) : undefined,
  };
}

/** Every numeric array aligned to the candles (sma, ema_fast, hma: {1h: [...]}, ...) as a line. */
export function strategyLines(run: Record<string, unknown>, candles: RunCandle[]): LineData[] {
  const lines: LineData[] = [];
  const add = (name: string, values: unknown) => {
    if (!Array.isArray(values) || values.length !== candles.length) return;
    if (!values.every((v) => v === null || typeof v === "number")) return;
    lines.push({ name, values: values.map((v: number | null) => (v !== null && Number.isFinite(v) ? v : null)) });
  };
  for (const [key, value] of Object.entries(run)) {
    // base_indicators: the base timeframe's values, not lines of the shown one.
    if (key === "candles" || key === "entries" || key === "timeline" || key === "base_indicators") continue;
    if (Array.isArray(value)) add(key, value);
    else if (value && typeof value === "object") for (const [sub, values] of Object.entries(value)) add(`${key} ${sub}`, values);
  }
  return lines;
}

export interface FillMarker {
  id: string;
  time: number;
  position: "aboveBar" | "belowBar";
  color: string;
  shape: "arrowUp" | "arrowDown";
}

/** What a fill marker's tooltip says. */
export interface FillInfo {
  side: string;
  leg: string;
  quantity: string;
  price: string | null;
}

/** A marker per filled order, on the candle whose open filled it: buys below, sells above. No
 * text on the chart (labels pile up): the tooltip names the side and the leg (`fills`). */
export function fillMarkers(orders: BotOrder[], candleSeconds: number): { markers: FillMarker[]; fills: Map<string, FillInfo> } {
  const fills = new Map<string, FillInfo>();
  const markers = orders
    .filter((o) => o.fill_candle !== null && Number(o.filled_quantity) > 0)
    .map((o) => {
      const buy = o.side === "buy";
      const time = o.fill_candle! - (o.fill_candle! % candleSeconds);
      const id = `order-${o.id}`;
      fills.set(id, { side: o.side, leg: o.leg, quantity: o.filled_quantity ?? "", price: o.average_price ?? null });
      return {
        id,
        time,
        position: buy ? ("belowBar" as const) : ("aboveBar" as const),
        color: buy ? "#26a69a" : "#ef5350",
        shape: buy ? ("arrowUp" as const) : ("arrowDown" as const),
      };
    })
    .sort((a, b) => a.time - b.time);
  return { markers, fills };
}
