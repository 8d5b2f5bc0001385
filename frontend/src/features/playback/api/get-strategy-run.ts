import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { PLAYBACK_STRATEGY_KEY } from "@/config/api";
import { apiGet } from "@/lib/api-client";
import type { StrategyRun, Timeframe } from "@/lib/api-types";

export interface StrategyRunParams {
  symbol: string;
  /** The symbol's exchange; absent: the API's default. */
  exchange?: string | undefined;
  timeframe: Timeframe;
  limit: number;
  /** YYYY-MM-DD, ISO 8601 (UTC when no offset) or epoch seconds, as the API accepts. */
  start?: string | undefined;
  end?: string | undefined;
}

// Performance marks, read by the e2e performance test: the response is parsed here, the chart
// marks when it has drawn it.
export const RUN_RECEIVED_MARK = "strategy-run:received";

export async function getStrategyRun(params: StrategyRunParams, signal?: AbortSignal, strategyKey: string = PLAYBACK_STRATEGY_KEY): Promise<StrategyRun> {
  const run = await apiGet<StrategyRun>(`/strategies/${encodeURIComponent(strategyKey)}/run/`, { ...params }, signal);
  performance.mark(RUN_RECEIVED_MARK);
  return run;
}

/** `strategyKey`: the replay's hma-sma unless another strategy is previewed (a user's `user-12-v3`). */
export function strategyRunQueryOptions(params: StrategyRunParams, strategyKey: string = PLAYBACK_STRATEGY_KEY) {
  return queryOptions({
    queryKey: ["strategy-run", strategyKey, params],
    queryFn: ({ signal }) => getStrategyRun(params, signal, strategyKey),
    // Keep showing the previous chart while another timeframe loads, so the cursor has a time to keep.
    placeholderData: keepPreviousData,
    // Up to 10,000 candles: comparing old and new responses deeply costs more than it saves.
    structuralSharing: false,
  });
}

/** The strategy evaluated over stored candles; disabled until the symbol is known (params null). */
export function useStrategyRun(params: StrategyRunParams | null, strategyKey: string = PLAYBACK_STRATEGY_KEY) {
  return useQuery({
    ...strategyRunQueryOptions(params ?? { symbol: "", timeframe: "1h", limit: 1 }, strategyKey),
    enabled: params !== null,
  });
}
