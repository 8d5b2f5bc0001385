// Names for the optimisation API's types, generated from the OpenAPI schema (src/lib/api-schema.ts).
// Times are epoch seconds.
import type { components } from "@/lib/api-schema";

type Schemas = components["schemas"];

export type Study = Schemas["Study"];
export type StudyDetail = Schemas["StudyDetail"];
export type Trial = Schemas["Trial"];
export type WalkForward = Schemas["WalkForward"];
export type WalkForwardDetail = Schemas["WalkForwardDetail"];
export type StudyCreateBody = Schemas["StudyCreate"];
export type WalkForwardCreateBody = Schemas["WalkForwardCreate"];
export type CatalogStrategy = Schemas["CatalogEntry"];
export type StrategyParamSchema = Schemas["ParamSchema"];
export interface Page<T> {
  count: number;
  results: T[];
}
