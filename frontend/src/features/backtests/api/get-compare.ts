import { useQueries } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import { EQUITY_POINTS } from "./get-backtest-equity";
import type { BacktestEquity, BacktestRun } from "./types";

/** Each compared run and its (downsampled) equity curve, read in parallel; the same cache keys as
 * the run page, so opening a compared run reads nothing twice. */
export function useComparedRuns(ids: number[]) {
  const runs = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["backtests", "run", id],
      queryFn: ({ signal }: { signal: AbortSignal }) => apiRequest<BacktestRun>(`/analytics/backtests/${id}/`, { signal }),
      staleTime: 0,
    })),
  });
  const equity = useQueries({
    queries: ids.map((id, i) => ({
      queryKey: ["backtests", "run", id, "equity", EQUITY_POINTS],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        apiRequest<BacktestEquity>(`/analytics/backtests/${id}/equity/`, { params: { points: EQUITY_POINTS }, signal }),
      enabled: runs[i]?.data?.status === "done",
      staleTime: Infinity,
    })),
  });
  return { runs, equity };
}
