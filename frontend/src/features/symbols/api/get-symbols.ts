import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiGet } from "@/lib/api-client";
import type { MarketSymbol } from "@/lib/api-types";

export function getSymbols(signal?: AbortSignal): Promise<MarketSymbol[]> {
  return apiGet<MarketSymbol[]>("/datafeeds/symbols/", undefined, signal);
}

export const symbolsQueryOptions = queryOptions({
  queryKey: ["symbols"],
  queryFn: ({ signal }) => getSymbols(signal),
});

/** Every stored symbol with its coverage per timeframe. */
export function useSymbols() {
  return useQuery(symbolsQueryOptions);
}
