// One hook per endpoint of the bots API (docs/bots.md) and the dashboard panels.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { Bot, BotEquity, BotEvent, BotOrder, BotReconciliation, BotTrade, CatalogStrategy, StopAllResult } from "./types";

export const botKeys = {
  all: ["bots"] as const,
  list: ["bots", "list"] as const,
  one: (id: number) => ["bots", "one", id] as const,
  part: (id: number, part: string) => ["bots", "one", id, part] as const,
};

export const fetchBots = (signal?: AbortSignal) => apiRequest<Bot[]>("/execution/bots/", { signal });

export function useStrategyCatalog() {
  return useQuery({
    queryKey: ["bots", "catalog"],
    queryFn: ({ signal }) => apiRequest<CatalogStrategy[]>("/strategies/catalog/", { signal }),
    staleTime: Infinity,
  });
}

export interface SymbolCoverage {
  name: string;
  exchange: string;
  timeframes: { timeframe: string; first: number | null; last: number | null; count: number }[];
}

export function useSymbolsWithCoverage() {
  return useQuery({
    queryKey: ["bots", "symbols"],
    queryFn: ({ signal }) => apiRequest<SymbolCoverage[]>("/datafeeds/symbols/", { signal }),
    staleTime: 60_000,
  });
}

export interface Named {
  id: number;
  name?: string;
  label?: string;
}

/** Risk profiles and exchange accounts for the form's selects (paginated or not). */
function useNamedList(key: string, path: string) {
  return useQuery({
    queryKey: ["bots", key],
    queryFn: async ({ signal }) => {
      const body = await apiRequest<Named[] | { results: Named[] }>(path, { signal });
      return Array.isArray(body) ? body : body.results;
    },
    retry: false,
  });
}
export const useRiskProfiles = () => useNamedList("risk-profiles", "/risk/profiles/");
export const useExchangeAccounts = () => useNamedList("accounts", "/exchanges/accounts/");

export interface BotCreateBody {
  name: string;
  strategy: string;
  symbol: string;
  exchange?: string;
  params: Record<string, number>;
  mode: "paper" | "live";
  paper_capital?: number;
  exchange_account?: number | null;
  allow_short?: boolean;
  risk_profile?: number | null;
  stop_limit_offset?: number;
}

export function useCreateBot() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: BotCreateBody) => apiRequest<Bot>("/execution/bots/", { method: "POST", body }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: botKeys.list }),
  });
}

export function useBotAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (a: { id: number; action: "start" | "stop" | "delete"; closePosition?: boolean }) =>
      a.action === "delete"
        ? apiRequest<null>(`/execution/bots/${a.id}/`, { method: "DELETE" })
        : apiRequest<Bot>(`/execution/bots/${a.id}/${a.action}/`, {
            method: "POST",
            body: a.action === "stop" ? { close_position: Boolean(a.closePosition) } : undefined,
          }),
    onSuccess: (_data, a) => {
      void queryClient.invalidateQueries({ queryKey: botKeys.one(a.id) });
    },
  });
}

/** Stop every bot of yours at once (the API answers one outcome per bot; asking again is safe). */
export function useStopAll() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (closePositions: boolean) =>
      apiRequest<StopAllResult>("/execution/bots/stop-all/", { method: "POST", body: { close_positions: closePositions } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: botKeys.all }),
  });
}

export function useBot(id: number) {
  return useQuery({ queryKey: botKeys.one(id), queryFn: ({ signal }) => apiRequest<Bot>(`/execution/bots/${id}/`, { signal }) });
}

function usePart<T>(id: number, part: string, params?: Record<string, string | number>) {
  return useQuery({
    queryKey: botKeys.part(id, part),
    queryFn: ({ signal }) => apiRequest<T>(`/execution/bots/${id}/${part}/`, { signal, params }),
    placeholderData: keepPreviousData,
  });
}
export const useBotOrders = (id: number) => usePart<BotOrder[]>(id, "orders");
export const useBotTrades = (id: number) => usePart<BotTrade[]>(id, "trades");
export const useBotEquity = (id: number) => usePart<BotEquity>(id, "equity");
export const useBotEvents = (id: number) => usePart<BotEvent[]>(id, "events", { limit: 200 });
export const useBotReconciliation = (id: number) => usePart<BotReconciliation>(id, "reconciliation");

export function useReconciliationBacktest() {
  return useMutation({
    mutationFn: (id: number) => apiRequest<{ run: number; status: string }>(`/execution/bots/${id}/reconciliation/backtest/`, { method: "POST" }),
  });
}

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export function useBotCandles(bot: Bot | undefined) {
  return useQuery({
    queryKey: ["bots", "candles", bot?.symbol, bot?.exchange, bot?.timeframe],
    enabled: Boolean(bot),
    queryFn: async ({ signal }) => {
      const body = await apiRequest<{ candles: Candle[] }>("/datafeeds/candles/", {
        signal,
        params: { symbol: bot!.symbol, exchange: bot!.exchange, timeframe: bot!.timeframe, limit: 500 },
      });
      return body.candles;
    },
  });
}
