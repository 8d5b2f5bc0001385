import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { BacktestTrade } from "./types";

/** A done run's trades (enabled only once done: they are stored with the KPIs). */
export function useBacktestTrades(id: number, done: boolean) {
  return useQuery({
    queryKey: ["backtests", "run", id, "trades"],
    queryFn: ({ signal }) => apiRequest<BacktestTrade[]>(`/analytics/backtests/${id}/trades/`, { signal }),
    enabled: done,
    staleTime: Infinity,
  });
}
