import { useMutation, useQueryClient } from "@tanstack/react-query";
import { authedRequest } from "./authed";
import type { RunRequestBody } from "../model/run-form";
import type { BacktestRun } from "./types";

export function useCreateBacktest() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RunRequestBody) => authedRequest<BacktestRun>("/analytics/backtests/", { method: "POST", body }),
    onSuccess: (run) => {
      queryClient.setQueryData(["backtests", "run", run.id], run);
      void queryClient.invalidateQueries({ queryKey: ["backtests", "list"] });
    },
  });
}
