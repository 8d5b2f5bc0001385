import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import { currentPollInterval } from "./run-events";
import type { BacktestRun, Paginated } from "./types";

const unfinished = (list: Paginated<BacktestRun> | undefined) =>
  list?.results.some((run) => run.status === "queued" || run.status === "running") ?? false;

/** Your runs that belong to no sweep, newest first (the API's order); the run events socket
 * updates them in place. (Sweeps are listed apart: use-sweeps.) */
export function useBacktests(limit = 50) {
  return useQuery({
    queryKey: ["backtests", "list", "standalone", limit],
    queryFn: ({ signal }) => apiRequest<Paginated<BacktestRun>>("/analytics/backtests/", { params: { limit, standalone: "true" }, signal }),
    staleTime: 0,
    refetchInterval: (query) => (unfinished(query.state.data) ? currentPollInterval() : false),
  });
}

/** One sweep's runs, newest first (read when its entry is unfolded). */
export function useSweepRuns(sweep: number, enabled: boolean) {
  return useQuery({
    queryKey: ["backtests", "list", "sweep", sweep],
    queryFn: ({ signal }) => apiRequest<Paginated<BacktestRun>>("/analytics/backtests/", { params: { sweep, limit: 500 }, signal }),
    enabled,
    staleTime: 0,
    refetchInterval: (query) => (unfinished(query.state.data) ? currentPollInterval() : false),
  });
}

/** Every run, newest first, at most `limit` (the API's maximum page): the runs CSV. */
export function fetchAllRuns(limit = 500): Promise<Paginated<BacktestRun>> {
  return apiRequest<Paginated<BacktestRun>>("/analytics/backtests/", { params: { limit } });
}
