// The strategies API (/api/strategies/: language/, definitions/, catalog/): users' own strategies
// written in the strategy language. Every shape is the generated schema's (src/lib/api-schema.ts);
// times are ISO 8601 strings (created_at, updated_at).
import type { components } from "@/lib/api-schema";

type Schemas = components["schemas"];

export type Timeframe = Schemas["TimeframeEnum"];

/** One function of the language: `outputs` names the fields of a multi-output function (macd). */
export type LanguageFunction = Schemas["LanguageFunction"];

/** GET language/: what the editor completes and highlights. `outputs` are the signals
 * (long_entry, ...), `settings` the other reserved names (timeframe, stop_loss, take_profit). */
export type LanguageSpec = Schemas["Language"];

/** A declared parameter (`param fast = 12 in 5..50`), as the API derives it. */
export type StrategyParam = Schemas["ParamSchema"];

export type StrategyStops = Schemas["Stops"];

/** What compiling a text gives: params, timeframes, warm-up, stops, named series. */
export type CompiledSchema = Schemas["CompiledSchema"];

/** POST definitions/validate/ 200. */
export type ValidSource = Schemas["ValidateResponse"];

/** One error of a 400 on the source: lines and columns 1-based, end exclusive. */
export type SourceError = Schemas["SourceError"];

/** The lookahead / warm-up check of a saved version: null while not checked. */
export type StrategyCheck = Schemas["CheckReport"];

/** GET definitions/ item as the API sends it (the derived facts under `schema`). */
export type DefinitionBody = Schemas["Definition"];

/** A saved strategy as the page reads it: the current version's derived facts on the strategy. */
export type UserStrategy = Omit<DefinitionBody, "schema" | "check"> &
  CompiledSchema & { check: StrategyCheck | null };

export type StrategyVersion = Schemas["Version"];

/** GET catalog/ item; `source` says where it comes from (the registry's built-ins, plugins, yours). */
export type CatalogStrategy = Schemas["CatalogEntry"];
