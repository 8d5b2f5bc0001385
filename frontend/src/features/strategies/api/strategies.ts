// One hook per endpoint of /api/strategies/ that the Strategies page reads or writes.
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, apiRequest } from "@/lib/api-client";
import { normalizeDefinition } from "../model/definition";
import { sourceErrorsOf } from "../model/diagnostics";
import type { CatalogStrategy, DefinitionBody, LanguageSpec, SourceError, StrategyVersion, UserStrategy, ValidSource } from "./types";

export const strategyKeys = {
  all: ["strategies"] as const,
  language: ["strategies", "language"] as const,
  definitions: ["strategies", "definitions"] as const,
  definition: (id: number) => ["strategies", "definitions", id] as const,
  versions: (id: number) => ["strategies", "definitions", id, "versions"] as const,
  catalog: ["strategies", "catalog"] as const,
  builtinSource: (key: string) => ["strategies", "builtin-source", key] as const,
};

/** The language's functions, fields, outputs, keywords and timeframes (public; changes with a deploy). */
export function useLanguage() {
  return useQuery({
    queryKey: strategyKeys.language,
    queryFn: ({ signal }) => apiRequest<LanguageSpec>("/strategies/language/", { signal }),
    staleTime: Infinity,
  });
}

/** Your strategies, the current version of each. */
export function useDefinitions() {
  return useQuery({
    queryKey: strategyKeys.definitions,
    queryFn: async ({ signal }): Promise<UserStrategy[]> =>
      listOf(await apiRequest<DefinitionBody[] | { results: DefinitionBody[] }>("/strategies/definitions/", { signal })).map(normalizeDefinition),
    staleTime: 10_000,
  });
}

function listOf<T>(body: T[] | { results: T[] }): T[] {
  return Array.isArray(body) ? body : body.results;
}

/** How long to keep asking for a saved version's check while the API has none yet. */
const CHECK_POLL_MS = 2_000;
const CHECK_POLL_FOR_MS = 60_000;

/** One of your strategies; re-read every 2 s for a minute while its check has not come. */
export function useDefinition(id: number | null) {
  return useQuery({
    queryKey: strategyKeys.definition(id ?? 0),
    queryFn: async ({ signal }) => normalizeDefinition(await apiRequest<DefinitionBody>(`/strategies/definitions/${id}/`, { signal })),
    enabled: id !== null,
    staleTime: 5_000,
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data || data.check !== null) return false;
      return Date.now() - Date.parse(data.updated_at) < CHECK_POLL_FOR_MS ? CHECK_POLL_MS : false;
    },
  });
}

export function useVersions(id: number | null) {
  return useQuery({
    queryKey: strategyKeys.versions(id ?? 0),
    queryFn: async ({ signal }): Promise<StrategyVersion[]> =>
      listOf(await apiRequest<StrategyVersion[] | { results: StrategyVersion[] }>(`/strategies/definitions/${id}/versions/`, { signal })),
    enabled: id !== null,
    placeholderData: keepPreviousData,
  });
}

/** Built-ins, plugins and (signed in) your strategies, as the backtest and bot forms list them. */
export function useCatalog() {
  return useQuery({
    queryKey: strategyKeys.catalog,
    queryFn: ({ signal }) => apiRequest<CatalogStrategy[]>("/strategies/catalog/", { signal }),
    staleTime: 60_000,
  });
}

/** A built-in written in the language, to copy; null when it has none (404). */
async function fetchBuiltinSource(key: string, signal?: AbortSignal): Promise<string | null> {
  try {
    const body = await apiRequest<{ source: string }>(`/strategies/catalog/${encodeURIComponent(key)}/source/`, { signal });
    return body.source;
  } catch (error) {
    if (error instanceof ApiError && error.kind === "not-found") return null;
    throw error;
  }
}

const builtinSourceQuery = (key: string) => ({
  queryKey: strategyKeys.builtinSource(key),
  queryFn: ({ signal }: { signal?: AbortSignal }) => fetchBuiltinSource(key, signal),
  staleTime: Infinity,
});

export function useBuiltinSource(key: string | null) {
  return useQuery({ ...builtinSourceQuery(key ?? ""), enabled: key !== null });
}

/** Whether each built-in has a source to copy (key -> true/false; missing while asking). */
export function useBuiltinSources(keys: readonly string[]): Record<string, boolean | undefined> {
  return useQueries({
    queries: keys.map(builtinSourceQuery),
    combine: (results) => Object.fromEntries(keys.map((key, i) => [key, results[i]?.data === undefined ? undefined : results[i]!.data !== null])),
  });
}

/** The validate endpoint's answer: valid (with what the API derived), errors on the source, or a failure. */
export type ValidationOutcome =
  | { kind: "valid"; result: ValidSource }
  | { kind: "invalid"; errors: SourceError[] }
  | { kind: "failed"; message: string };

export async function validateSource(source: string, signal?: AbortSignal): Promise<ValidationOutcome> {
  try {
    const result = await apiRequest<ValidSource>("/strategies/definitions/validate/", { method: "POST", body: { source }, signal });
    return { kind: "valid", result };
  } catch (error) {
    if (error instanceof ApiError && error.kind === "bad-request") {
      const errors = sourceErrorsOf(error.body);
      if (errors.length) return { kind: "invalid", errors };
    }
    if (signal?.aborted) throw error;
    return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
  }
}

export interface SaveBody {
  name?: string;
  source?: string;
}

/** Create (no id) or change (id: a changed source makes a new version) a strategy. */
export function useSaveDefinition() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: number | null; body: SaveBody }): Promise<UserStrategy> =>
      normalizeDefinition(
        id === null
          ? await apiRequest<DefinitionBody>("/strategies/definitions/", { method: "POST", body })
          : await apiRequest<DefinitionBody>(`/strategies/definitions/${id}/`, { method: "PATCH", body }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(strategyKeys.definition(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: strategyKeys.definitions, exact: true });
      void queryClient.invalidateQueries({ queryKey: strategyKeys.versions(saved.id) });
      void queryClient.invalidateQueries({ queryKey: strategyKeys.catalog });
    },
  });
}

/** Delete a strategy: 409 (a running bot uses it) comes back as an ApiError saying which. */
export function useDeleteDefinition() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiRequest<null>(`/strategies/definitions/${id}/`, { method: "DELETE" }),
    onSuccess: (_data, id) => {
      queryClient.removeQueries({ queryKey: strategyKeys.definition(id) });
      void queryClient.invalidateQueries({ queryKey: strategyKeys.definitions, exact: true });
      void queryClient.invalidateQueries({ queryKey: strategyKeys.catalog });
    },
  });
}
