// Names for the API's types. The types themselves are GENERATED from the OpenAPI schema into
// api-schema.ts (`make api-types`; make test fails when it is stale): only aliases live here.
// Times are epoch seconds UTC (candle open times).
import { timeframeEnumValues, type components } from "./api-schema";

type Schemas = components["schemas"];

/** Timeframes the API accepts (the schema's TimeframeEnum), shortest first. */
export const TIMEFRAMES = timeframeEnumValues;
export type Timeframe = Schemas["TimeframeEnum"];

export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === "string" && (TIMEFRAMES as readonly string[]).includes(value);
}

export type TimeframeCoverage = Schemas["TimeframeCoverage"];
/** GET /api/datafeeds/symbols/ (`Symbol` in the schema). */
export type MarketSymbol = Schemas["Symbol"];
export type Candle = Schemas["Candle"];
export type EntrySide = Schemas["SideEnum"];
export type StrategyEntry = Schemas["Entry"];
export type TimelinePoint = Schemas["TimelinePoint"];
/** GET /api/strategies/<key>/run/: every array is aligned to `candles` except `entries`. */
export type StrategyRun = Schemas["StrategyRunResponse"];

export type User = Schemas["User"];

/** The body of a 4xx: `{"detail", "field"}` (404) or field errors (400). Not in the schema:
 * DRF's error bodies are the same for every endpoint. */
export interface ApiErrorBody {
  detail?: string;
  field?: string;
  [field: string]: unknown;
}
