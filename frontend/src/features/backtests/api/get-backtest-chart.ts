import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { RunChartData } from "./types";

export const RUN_CHART_RECEIVED_MARK = "run-chart:received";

/** A run's candles (columns), the strategy's lines and buy-and-hold: one read, kept (a run's
 * span does not change). */
export function useBacktestChart(id: number, enabled: boolean) {
  return useQuery({
    queryKey: ["backtests", "run", id, "chart"],
    queryFn: async ({ signal }) => {
      const chart = await apiRequest<RunChartData>(`/analytics/backtests/${id}/chart/`, { signal });
      performance.mark(RUN_CHART_RECEIVED_MARK); // make bench: first render from here
      return chart;
    },
    enabled,
    staleTime: Infinity,
  });
}
