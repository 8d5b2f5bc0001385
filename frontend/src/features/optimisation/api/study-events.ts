// Study progress pushed over /ws/backtests/ into the React Query cache: trials done and the best
// so far change as the workers finish trials, without waiting for the next poll.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED } from "@/lib/realtime-protocol";
import { openRealtimeSocket, sameHostSocketUrl } from "@/lib/realtime-socket";
import { listWithStudy, parseStudyEvent, studyPollInterval } from "../model/study-events";
import type { Page, Study } from "./types";

const FINAL_CLOSE_CODES = [1000, CLOSE_UNAUTHENTICATED, CLOSE_NOT_FOUND] as const;

// Whether the socket is open AND its channel layer carries the workers' events.
let pushing = false;
let received = 0; // study events applied (read by the e2e build's handle)

declare global {
  interface Window {
    /** e2e build only: whether study progress is pushed, and how many events were applied. */
    __studyEvents?: { pushing: () => boolean; received: () => number };
  }
}
if (import.meta.env.MODE === "e2e") window.__studyEvents = { pushing: () => pushing, received: () => received };

/** How often the studies and walk-forwards queries re-read unfinished work. */
export function currentStudyPollInterval(): number {
  return studyPollInterval(pushing);
}

/** Keeps the socket open while mounted (lib/realtime-socket: heartbeats, reconnects with
 * back-off) and applies its study events. */
export function useStudyEvents(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const apply = (study: Study) => {
      received += 1;
      let missing = false;
      queryClient.setQueryData<Page<Study>>(["optimisation", "studies"], (list) => {
        const next = listWithStudy(list, study);
        if (!next) missing = true;
        return next ?? list;
      });
      // A read already under way answers for the event (no restart).
      const once = { cancelRefetch: false };
      if (missing) void queryClient.invalidateQueries({ queryKey: ["optimisation", "studies"] }, once);
      // The detail (diagnostics, best trial) is read again; the trials and importance queries
      // are keyed by trials done, so they follow the detail.
      void queryClient.invalidateQueries({ queryKey: ["optimisation", "study", study.id] }, once);
      if (study.walk_forward !== null) {
        void queryClient.invalidateQueries({ queryKey: ["optimisation", "walk-forwards"] }, once);
        void queryClient.invalidateQueries({ queryKey: ["optimisation", "walk-forward", study.walk_forward] }, once);
      }
    };
    const socket = openRealtimeSocket({
      url: sameHostSocketUrl("/ws/backtests/", window.location),
      finalCodes: FINAL_CLOSE_CODES,
      onStatus: (status) => {
        if (status.state !== "open") pushing = false;
      },
      onMessage: (data) => {
        const event = parseStudyEvent(data);
        if (!event) return;
        if (event.type === "study") return apply(event.study);
        pushing = event.push;
        // Whatever changed while the socket was down is read again once.
        void queryClient.invalidateQueries({ queryKey: ["optimisation"] });
      },
    });
    return () => {
      socket.close();
      pushing = false;
    };
  }, [queryClient]);
}
