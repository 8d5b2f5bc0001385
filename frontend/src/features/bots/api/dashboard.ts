// The dashboard's panels: one endpoint each under /api/execution/dashboard/ (figures computed by
// the server across the user's bots).
import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { components } from "@/lib/api-schema";

type Schemas = components["schemas"];
export type DashboardSummary = Schemas["DashboardSummary"];

export const dashboardKey = ["dashboard"] as const;

export type DashboardTotals = Schemas["DashboardTotals"];

/** Bots whose money adds up: one mode, one quote currency (the server never mixes them). */
export interface DashboardGroup {
  mode: string;
  quote: string;
}

function usePanel<T>(panel: string, group?: DashboardGroup | null) {
  const query = group ? `?${new URLSearchParams({ mode: group.mode, quote: group.quote })}` : "";
  return useQuery({
    queryKey: [...dashboardKey, panel, group?.mode ?? "", group?.quote ?? ""],
    queryFn: ({ signal }) => apiRequest<T>(`/execution/dashboard/${panel}/${query}`, { signal }),
    placeholderData: (previous) => previous,
    enabled: group !== null,
  });
}

export const useDashboardSummary = () => usePanel<DashboardSummary>("summary");
export const useDashboardEquity = (group: DashboardGroup | null) => usePanel<Schemas["DashboardEquity"]>("equity", group);
export const useDashboardDrawdown = (group: DashboardGroup | null) => usePanel<Schemas["DashboardDrawdown"]>("drawdown", group);
export const useDashboardPnlByDay = (group: DashboardGroup | null) => usePanel<Schemas["DashboardPnlByDay"]>("pnl-by-day", group);
export const useDashboardPositions = () => usePanel<Schemas["DashboardPosition"][]>("positions");
export const useDashboardEvents = () => usePanel<Schemas["DashboardEvent"][]>("events");
export const useDashboardLeaders = () => usePanel<Schemas["DashboardLeaders"]>("leaders");
