import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { RunChartData } from "./types";

/** A run's candles (columns), the strategy's lines and buy-and-hold: one read, kept (a run's
 * span does not change). */
export function useBacktestChart(id: number, enabled: boolean) {
  return useQuery({
    queryKey: ["backtests", "run", id, "chart"],
    queryFn: ({ signal }) => apiRequest<RunChartData>(`/analytics/backtests/${id}/chart/`, { signal }),
    enabled,
    staleTime: Infinity,
  });
}
