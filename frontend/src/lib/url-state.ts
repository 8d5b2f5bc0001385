// The view's state in the query string, so a link reproduces it:
// ?symbol=BTCUSDT&exchange=binance&timeframe=1h&start=2024-03-01T00:00&end=...&limit=500&t=<cursor epoch seconds>
import { isTimeframe, type Timeframe } from "./api-types";

export interface UrlQuery {
  symbol?: string | undefined;
  /** The symbol's exchange (the same name can be stored from two); absent: the API's default. */
  exchange?: string | undefined;
  timeframe?: Timeframe | undefined;
  /** As typed: YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or epoch seconds. */
  start?: string | undefined;
  end?: string | undefined;
  limit?: number | undefined;
  /** Cursor: open time (epoch seconds) of the last candle shown. */
  t?: number | undefined;
}

const KEY_ORDER = ["symbol", "exchange", "timeframe", "start", "end", "limit", "t"] as const;

export function parseUrlQuery(search: string): UrlQuery {
  const params = new URLSearchParams(search);
  const text = (key: string) => params.get(key)?.trim() || undefined;
  const integer = (key: string) => {
    const value = text(key);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const timeframe = text("timeframe");
  return {
    symbol: text("symbol")?.toUpperCase(),
    exchange: text("exchange")?.toLowerCase(),
    // An unknown timeframe is dropped (the default applies) rather than sent to the API.
    timeframe: isTimeframe(timeframe) ? timeframe : undefined,
    start: text("start"),
    end: text("end"),
    limit: integer("limit"),
    t: integer("t"),
  };
}

/** "?symbol=...&..." with the keys in a stable order and empty ones left out ("" when none). */
export function formatUrlQuery(query: UrlQuery): string {
  const params = new URLSearchParams();
  for (const key of KEY_ORDER) {
    const value = query[key];
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `?${search}` : "";
}
