// A saved strategy as the page reads it: the current version's derived facts (params, timeframes,
// stops, warm-up, named series), which the API nests under `schema`, lifted onto the strategy.
import type { DefinitionBody, UserStrategy } from "../api/types";

export function normalizeDefinition(body: DefinitionBody): UserStrategy {
  const { schema, check, ...rest } = body;
  return { ...rest, ...schema, check: check ?? null };
}
