import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { BacktestEquity } from "./types";

export const EQUITY_POINTS = 500;

export function useBacktestEquity(id: number, done: boolean) {
  return useQuery({
    queryKey: ["backtests", "run", id, "equity", EQUITY_POINTS],
    queryFn: ({ signal }) =>
      apiRequest<BacktestEquity>(`/analytics/backtests/${id}/equity/`, { params: { points: EQUITY_POINTS }, signal }),
    enabled: done,
    staleTime: Infinity,
  });
}
