import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { apiRequest } from "@/lib/api-client";
import { currentPollInterval } from "./run-events";
import type { BacktestSweep } from "./types";

/** A sweep with its runs sorted by `order` (a KPI name, `-` for descending); re-read when one of its
 * runs changes (run events socket) until finished. */
export function useSweep(id: number | null, order: string) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ["backtests", "sweep", id, order],
    queryFn: ({ signal }) => apiRequest<BacktestSweep>(`/analytics/backtests/sweeps/${id}/`, { params: { order }, signal }),
    enabled: id !== null,
    staleTime: 0,
    placeholderData: keepPreviousData,
    refetchInterval: (query) => {
      const counts = query.state.data?.counts;
      return counts && counts.queued + counts.running === 0 ? false : currentPollInterval();
    },
  });
  // When the sweep finishes, "Your runs" shows its counts and best return, and its runs' statuses.
  const finished = query.data ? query.data.counts.queued + query.data.counts.running === 0 : false;
  useEffect(() => {
    if (!finished) return;
    void queryClient.invalidateQueries({ queryKey: ["backtests", "sweeps"] });
    void queryClient.invalidateQueries({ queryKey: ["backtests", "list"] });
  }, [finished, queryClient]);
  return query;
}
