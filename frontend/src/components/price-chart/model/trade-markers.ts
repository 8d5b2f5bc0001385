// Entry and exit markers of a run's trades, without text on the chart (a tooltip says the side,
// the reason and the prices: labels on 1,000 trades would pile up into an unreadable smear).
import type { SeriesMarker, UTCTimestamp } from "lightweight-charts";
import { COLORS } from "@/config/chart-theme";
import { indexAtOrBefore } from "./columns";

export interface MarkedTrade {
  number: number;
  side: "long" | "short";
  entry_time: number;
  exit_time: number;
  entry_price: number;
  exit_price: number;
  pnl: number;
  return_fraction: number;
  exit_reason: string;
}

export interface TradeMarkerInfo {
  trade: MarkedTrade;
  kind: "entry" | "exit";
}

export interface TradeMarkers {
  markers: SeriesMarker<UTCTimestamp>[];
  /** Marker id -> what the tooltip shows. */
  byId: Map<string, TradeMarkerInfo>;
}

const EXIT_COLOR = "#d6dbe6";

export const markerId = (number: number, kind: "entry" | "exit") => `trade-${number}-${kind}`;

/**
 * Long entries: green up arrows under the bar; short entries: red down arrows over it. Exits: a
 * small circle on the other side. Each on the candle that contains its time (a marker needs a
 * candle's time); trades outside the candles are left out. Sorted by time, as the chart needs.
 */
export function tradeMarkers(trades: readonly MarkedTrade[], times: readonly number[]): TradeMarkers {
  const markers: SeriesMarker<UTCTimestamp>[] = [];
  const byId = new Map<string, TradeMarkerInfo>();
  const first = times[0];
  if (first === undefined) return { markers, byId };
  const place = (time: number) => (time < first ? -1 : indexAtOrBefore(times, time));
  for (const trade of trades) {
    const long = trade.side === "long";
    const entry = place(trade.entry_time);
    if (entry >= 0) {
      const id = markerId(trade.number, "entry");
      markers.push({
        id,
        time: times[entry] as UTCTimestamp,
        position: long ? "belowBar" : "aboveBar",
        shape: long ? "arrowUp" : "arrowDown",
        color: long ? COLORS.candleUp : COLORS.candleDown,
      });
      byId.set(id, { trade, kind: "entry" });
    }
    const exit = place(trade.exit_time);
    if (exit >= 0) {
      const id = markerId(trade.number, "exit");
      markers.push({ id, time: times[exit] as UTCTimestamp, position: long ? "aboveBar" : "belowBar", shape: "circle", color: EXIT_COLOR, size: 0.6 });
      byId.set(id, { trade, kind: "exit" });
    }
  }
  markers.sort((a, b) => a.time - b.time);
  return { markers, byId };
}
