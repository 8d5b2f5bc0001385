import { useQuery } from "@tanstack/react-query";
import { authedRequest } from "./authed";
import type { BacktestRun, Paginated } from "./types";

/** Your runs, newest first (the API's order); polled while any is unfinished. */
export function useBacktests(limit = 50) {
  return useQuery({
    queryKey: ["backtests", "list", limit],
    queryFn: ({ signal }) => authedRequest<Paginated<BacktestRun>>("/analytics/backtests/", { params: { limit }, signal }),
    staleTime: 0,
    refetchInterval: (query) =>
      query.state.data?.results.some((run) => run.status === "queued" || run.status === "running") ? 2000 : false,
  });
}
