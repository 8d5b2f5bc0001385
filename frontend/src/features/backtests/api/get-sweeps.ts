import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import { currentPollInterval } from "./run-events";
import type { Paginated, SweepSummary } from "./types";

/** Your sweeps, newest first, each with its runs per status and best return. Under the "list"
 * key: a pushed run that is in no cached list (a sweep's) makes every list re-read, so the
 * counts follow the runs. */
export function useSweeps(limit = 50) {
  return useQuery({
    queryKey: ["backtests", "list", "sweeps", limit],
    queryFn: ({ signal }) => apiRequest<Paginated<SweepSummary>>("/analytics/backtests/sweeps/", { params: { limit }, signal }),
    staleTime: 0,
    refetchInterval: (query) =>
      query.state.data?.results.some((sweep) => sweep.counts.queued + sweep.counts.running > 0) ? currentPollInterval() : false,
  });
}
