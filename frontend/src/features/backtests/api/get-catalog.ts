import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { CatalogStrategy } from "./types";

export function useStrategyCatalog() {
  return useQuery({
    queryKey: ["backtests", "catalog"],
    queryFn: ({ signal }) => apiRequest<CatalogStrategy[]>("/strategies/catalog/", { signal }),
    staleTime: Infinity,
  });
}
