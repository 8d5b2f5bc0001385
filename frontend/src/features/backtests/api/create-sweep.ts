import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { SweepRequestBody } from "../model/run-form";
import type { BacktestSweep } from "./types";

export function useCreateSweep() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SweepRequestBody) =>
      apiRequest<BacktestSweep>("/analytics/backtests/sweeps/", { method: "POST", body }),
    // The new sweep is an entry of "Your runs" (api/get-sweeps.ts).
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["backtests", "sweeps"] }),
  });
}
