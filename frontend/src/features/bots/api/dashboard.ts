// The dashboard's panels: one endpoint each under /api/execution/dashboard/ (figures computed by
// the server across the user's bots).
import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { components } from "@/lib/api-schema";

type Schemas = components["schemas"];
export type DashboardSummary = Schemas["DashboardSummary"];

export const dashboardKey = ["dashboard"] as const;

function usePanel<T>(panel: string) {
  return useQuery({
    queryKey: [...dashboardKey, panel],
    queryFn: ({ signal }) => apiRequest<T>(`/execution/dashboard/${panel}/`, { signal }),
    placeholderData: (previous) => previous,
  });
}

export const useDashboardSummary = () => usePanel<DashboardSummary>("summary");
export const useDashboardEquity = () => usePanel<Schemas["DashboardEquity"]>("equity");
export const useDashboardDrawdown = () => usePanel<Schemas["DashboardDrawdown"]>("drawdown");
export const useDashboardPnlByDay = () => usePanel<Schemas["DashboardPnlByDay"]>("pnl-by-day");
export const useDashboardPositions = () => usePanel<Schemas["DashboardPosition"][]>("positions");
export const useDashboardEvents = () => usePanel<Schemas["DashboardEvent"][]>("events");
export const useDashboardLeaders = () => usePanel<Schemas["DashboardLeaders"]>("leaders");
