import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { authedRequest } from "./authed";
import type { BacktestRun } from "./types";

export const POLL_MS = 1000;

export const isFinished = (status: string | undefined) => status === "done" || status === "failed";

/** One run, polled every second until it is done or failed. */
export function useBacktest(id: number | null) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ["backtests", "run", id],
    queryFn: ({ signal }) => authedRequest<BacktestRun>(`/analytics/backtests/${id}/`, { signal }),
    enabled: id !== null,
    staleTime: 0,
    refetchInterval: (q) => (isFinished(q.state.data?.status) ? false : POLL_MS),
  });
  // When the run finishes, the runs list shows its new status and return.
  const status = query.data?.status;
  useEffect(() => {
    if (isFinished(status)) void queryClient.invalidateQueries({ queryKey: ["backtests", "list"] });
  }, [status, queryClient]);
  return query;
}
