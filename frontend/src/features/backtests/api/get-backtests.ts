import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import { currentPollInterval } from "./run-events";
import type { BacktestRun, Paginated } from "./types";

/** Your runs, newest first (the API's order); the run events socket updates them in place. */
export function useBacktests(limit = 50) {
  return useQuery({
    queryKey: ["backtests", "list", limit],
    queryFn: ({ signal }) => apiRequest<Paginated<BacktestRun>>("/analytics/backtests/", { params: { limit }, signal }),
    staleTime: 0,
    refetchInterval: (query) =>
      query.state.data?.results.some((run) => run.status === "queued" || run.status === "running") ? currentPollInterval() : false,
  });
}
