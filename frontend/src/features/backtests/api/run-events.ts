// Backtest progress pushed over /ws/backtests/ into the React Query cache, so the page shows a
// run's progress and end as they happen instead of polling every second.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { openRealtimeSocket } from "@/lib/realtime-socket";
import { FINAL_CLOSE_CODES, isFinished, listWithRun, parseRunEvent, pollInterval, runEventsSocketUrl } from "../model/run-events";
import type { BacktestRun, Paginated } from "./types";

// Whether the socket is open AND its channel layer carries the workers' events.
let pushing = false;
const listeners = new Set<() => void>();
function setPushing(next: boolean) {
  if (next === pushing) return;
  pushing = next;
  for (const listener of listeners) listener();
}

/** How often the run, runs list and sweep queries re-read unfinished work. */
export function currentPollInterval(): number {
  return pollInterval(pushing);
}

export function useRunEventsPushing(): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => pushing,
  );
}

/** Keeps the socket open while mounted (lib/realtime-socket: heartbeats, reconnects with
 * back-off) and applies its events. */
export function useRunEvents(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const apply = (run: BacktestRun) => {
      queryClient.setQueryData(["backtests", "run", run.id], run);
      let missing = false;
      queryClient.setQueriesData<Paginated<BacktestRun>>({ queryKey: ["backtests", "list"] }, (list) => {
        const next = listWithRun(list, run);
        if (!next) missing = true;
        return next ?? list;
      });
      // A sweep's runs change together: a read already under way answers for them (no restart).
      const once = { cancelRefetch: false };
      if (missing) void queryClient.invalidateQueries({ queryKey: ["backtests", "list"] }, once);
      if (run.sweep !== null) {
        void queryClient.invalidateQueries({ queryKey: ["backtests", "sweep", run.sweep] }, once);
        // The sweeps' counts and best returns in "Your runs" (api/get-sweeps.ts).
        void queryClient.invalidateQueries({ queryKey: ["backtests", "sweeps"] }, once);
      }
    };

    const socket = openRealtimeSocket({
      url: runEventsSocketUrl(window.location),
      finalCodes: FINAL_CLOSE_CODES,
      onStatus: (status) => {
        if (status.state !== "open") setPushing(false);
      },
      onMessage: (data) => {
        const event = parseRunEvent(data);
        if (!event) return;
        if (event.type === "run") return apply(event.run);
        setPushing(event.push);
        // Whatever changed while the socket was down is read again once.
        void queryClient.invalidateQueries({
          queryKey: ["backtests"],
          predicate: (q) => {
            const data = q.state.data as BacktestRun | undefined;
            return q.queryKey[1] !== "run" || !isFinished(data?.status);
          },
        });
      },
    });
    return () => {
      socket.close();
      setPushing(false);
    };
  }, [queryClient]);
}
