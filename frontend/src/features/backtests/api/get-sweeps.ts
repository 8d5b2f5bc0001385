import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import { currentPollInterval } from "./run-events";
import type { Paginated, SweepSummary } from "./types";

/** Your sweeps, newest first, each with its runs per status and best return; re-read when one of
 * their runs changes (run events socket). Not under the runs lists' "list" key: those caches are
 * patched with pushed runs by id, and a sweep's id is not a run's. */
export function useSweeps(limit = 50) {
  return useQuery({
    queryKey: ["backtests", "sweeps", limit],
    queryFn: ({ signal }) => apiRequest<Paginated<SweepSummary>>("/analytics/backtests/sweeps/", { params: { limit }, signal }),
    staleTime: 0,
    refetchInterval: (query) =>
      query.state.data?.results.some((sweep) => sweep.counts.queued + sweep.counts.running > 0) ? currentPollInterval() : false,
  });
}
