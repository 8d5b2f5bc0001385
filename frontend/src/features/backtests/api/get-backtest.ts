import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { apiRequest } from "@/lib/api-client";
import { isFinished } from "../model/run-events";
import { currentPollInterval } from "./run-events";
import type { BacktestRun } from "./types";

export { isFinished };

/** One run; its changes come over the run events socket, re-read by itself only as a fallback. */
export function useBacktest(id: number | null) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ["backtests", "run", id],
    queryFn: ({ signal }) => apiRequest<BacktestRun>(`/analytics/backtests/${id}/`, { signal }),
    enabled: id !== null,
    staleTime: 0,
    refetchInterval: (q) => (isFinished(q.state.data?.status) ? false : currentPollInterval()),
  });
  // When the run finishes, the runs list shows its new status and return.
  const status = query.data?.status;
  useEffect(() => {
    if (isFinished(status)) void queryClient.invalidateQueries({ queryKey: ["backtests", "list"] });
  }, [status, queryClient]);
  return query;
}
