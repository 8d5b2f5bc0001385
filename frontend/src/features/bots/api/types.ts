// Names for the bots API's types, generated from the OpenAPI schema (src/lib/api-schema.ts).
// Candle times are epoch seconds UTC; money is decimal strings.
import type { components } from "@/lib/api-schema";

type Schemas = components["schemas"];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type Bot = Mutable<Schemas["Bot"]>;
export type BotOrder = Schemas["BotOrder"];
export type BotTrade = Schemas["BotTrade"];
export type BotEvent = Schemas["BotEvent"];
export type BotEquity = Schemas["BotEquity"];
export type BotReconciliation = Schemas["BotReconciliation"];
/** POST bots/stop-all/: one outcome per bot (stopped, closing, already stopped, refused). */
export type StopAllResult = Schemas["StopAllResult"];
export type StopOutcome = Schemas["StopOutcome"];
export type CatalogStrategy = Schemas["CatalogEntry"];
export type StrategyParamSchema = Schemas["ParamSchema"];
