import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { RunRequestBody } from "../model/run-form";
import type { BacktestRun } from "./types";

export function useCreateBacktest() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RunRequestBody) => apiRequest<BacktestRun>("/analytics/backtests/", { method: "POST", body }),
    onSuccess: (run) => {
      queryClient.setQueryData(["backtests", "run", run.id], run);
      void queryClient.invalidateQueries({ queryKey: ["backtests", "list"] });
    },
  });
}
