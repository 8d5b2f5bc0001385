import { useQuery } from "@tanstack/react-query";
import { authedRequest } from "./authed";
import type { CatalogStrategy } from "./types";

export function useStrategyCatalog() {
  return useQuery({
    queryKey: ["backtests", "catalog"],
    queryFn: ({ signal }) => authedRequest<CatalogStrategy[]>("/strategies/catalog/", { signal }),
    staleTime: Infinity,
  });
}
