import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { MonthlyReturns } from "./types";

/** A done run's return per calendar month and year, from its full equity curve (server-side). */
export function useMonthlyReturns(id: number, done: boolean) {
  return useQuery({
    queryKey: ["backtests", "run", id, "monthly-returns"],
    queryFn: ({ signal }) => apiRequest<MonthlyReturns>(`/analytics/backtests/${id}/monthly-returns/`, { signal }),
    enabled: done,
    staleTime: Infinity,
  });
}
