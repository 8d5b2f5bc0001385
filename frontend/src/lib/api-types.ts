// Response types of the endpoints the app uses, written against /api/schema/ and
// docs/strategies/hma_sma_strat.md. Times are epoch seconds UTC (candle open times).

/** Timeframes the API accepts (the schema's `timeframe` enum), shortest first. */
export const TIMEFRAMES = ["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w", "1M"] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === "string" && (TIMEFRAMES as readonly string[]).includes(value);
}

/** `TimeframeCoverage`: what is stored for one timeframe of a symbol. */
export interface TimeframeCoverage {
  timeframe: Timeframe;
  count: number;
  first: number;
  last: number;
}

/** `Symbol` of GET /api/datafeeds/symbols/. */
export interface MarketSymbol {
  exchange: string;
  name: string;
  base: string;
  quote: string;
  market_symbol: string;
  simulated: boolean;
  tracked_timeframes: Timeframe[];
  timeframes: TimeframeCoverage[];
}

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type EntrySide = "long" | "short";

export interface StrategyEntry {
  /** Open time of the displayed candle that contains the 5m bar. */
  time: number;
  side: EntrySide;
  /** Open time of the 5m bar whose close triggered the entry. */
  bar_time: number;
  /** Close of that 5m bar. */
  price: number;
}

export interface TimelinePoint {
  time: number;
  long: boolean;
  short: boolean;
}

/** GET /api/strategies/hma-sma/run/: every array is aligned to `candles` except `entries`. */
export interface StrategyRun {
  strategy: string;
  params: { sma_period: number; hma_period: number };
  symbol: string;
  exchange: string;
  simulated: boolean;
  timeframe: Timeframe;
  base_timeframe: Timeframe;
  warmup_complete: boolean;
  candles: Candle[];
  sma: (number | null)[];
  hma: { "1h": (number | null)[]; "4h": (number | null)[] };
  entries: StrategyEntry[];
  timeline: TimelinePoint[];
  should_enter_long: boolean;
  should_enter_short: boolean;
}

/** The body of a 4xx: `{"detail", "field"}` (404) or field errors (400). */
export interface ApiErrorBody {
  detail?: string;
  field?: string;
  [field: string]: unknown;
}
