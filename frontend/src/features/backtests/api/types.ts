// Names for the backtest API's types, generated from the OpenAPI schema (src/lib/api-schema.ts).
// Times are epoch seconds.
import type { components } from "@/lib/api-schema";

type Schemas = components["schemas"];

export type StrategyParamSchema = Schemas["ParamSchema"];
export type CatalogStrategy = Schemas["CatalogEntry"];
export type RunStatus = Schemas["BacktestStatusEnum"];
/** Every KPI the engine computes; any may be null (a non-finite value). */
export type Kpis = NonNullable<Schemas["BacktestRun"]["kpis"]>;
export type BacktestRun = Schemas["BacktestRun"];
export type Paginated<T> = Omit<Schemas["PaginatedBacktestRunList"], "results"> & { results: T[] };
export type BacktestTrade = Schemas["Trade"];
export type EquityPoint = Schemas["EquityPoint"];
export type BacktestEquity = Schemas["EquityResponse"];
export type SweepRun = Schemas["SweepRun"];
export type BacktestSweep = Schemas["Sweep"];
export type RunChartData = Schemas["RunChart"];
export type MonthlyReturns = Schemas["MonthlyReturnsResponse"];
export type SweepSummary = Schemas["SweepSummary"];
