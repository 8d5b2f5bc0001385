import { useMutation, useQueryClient } from "@tanstack/react-query";
import { authedRequest } from "./authed";
import type { SweepRequestBody } from "../model/run-form";
import type { BacktestSweep } from "./types";

export function useCreateSweep() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SweepRequestBody) =>
      authedRequest<BacktestSweep>("/analytics/backtests/sweeps/", { method: "POST", body }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["backtests", "list"] }),
  });
}
