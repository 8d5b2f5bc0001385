import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { SweepRequestBody } from "../model/run-form";
import type { BacktestSweep } from "./types";

export function useCreateSweep() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SweepRequestBody) =>
      apiRequest<BacktestSweep>("/analytics/backtests/sweeps/", { method: "POST", body }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["backtests", "list"] }),
  });
}
