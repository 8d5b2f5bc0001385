// The bots kept live by /ws/bots/ (or /ws/bots/<id>/): on every (re)connect's handshake the bots are re-read
// from the API while the socket's messages wait, then the waiting messages newer than the re-read
// state are applied (model/bots-state.ts). Messages are applied once per animation frame, in a
// batch, so a busy socket (hundreds of bots) costs one render per frame.
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { apiRequest } from "@/lib/api-client";
import { CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED } from "@/lib/realtime-protocol";
import { handshakeOf, openRealtimeSocket, type SocketStatus } from "@/lib/realtime-socket";
import type { Bot } from "../api/types";
import { botsReducer, initialBotsState, parseBotMessage, unknownBot, type BotMessage } from "../model/bots-state";

export function botsSocketUrl(loc: { protocol: string; host: string }, botId?: number): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/ws/bots/${botId === undefined ? "" : `${botId}/`}`;
}

export interface BotsLive {
  bots: Bot[];
  recent: BotMessage[];
  synced: boolean;
  status: SocketStatus;
  /** Re-read the bots (after a create, a start, a stop or a delete). */
  refresh: () => void;
  upsert: (bot: Bot) => void;
  remove: (id: number) => void;
}

export function useBotsLive(options: { botId?: number; onMessages?: (messages: BotMessage[]) => void } = {}): BotsLive {
  const { botId } = options;
  const [state, dispatch] = useReducer(botsReducer, initialBotsState);
  const [status, setStatus] = useState<SocketStatus>({ state: "connecting", attempt: 0 });
  const onMessages = useRef(options.onMessages);
  onMessages.current = options.onMessages;
  const stateRef = useRef(state);
  stateRef.current = state;
  const generation = useRef(0);

  const resync = useCallback(() => {
    const mine = ++generation.current;
    dispatch({ type: "resync-start" });
    const read =
      botId === undefined ? apiRequest<Bot[]>("/execution/bots/") : apiRequest<Bot>(`/execution/bots/${botId}/`).then((b) => [b]);
    read.then(
      (bots) => {
        if (mine === generation.current) dispatch({ type: "resync", bots });
      },
      () => {
        // The next reconnect (or refresh) tries again; the banner says the data may be stale.
      },
    );
  }, [botId]);

  useEffect(() => {
    let queue: BotMessage[] = [];
    let frame: number | null = null;
    let needsResync = false;
    const flush = () => {
      frame = null;
      const batch = queue;
      queue = [];
      if (!batch.length) return;
      if (batch.some((m) => unknownBot(stateRef.current, m))) needsResync = true;
      dispatch({ type: "messages", messages: batch });
      onMessages.current?.(batch);
      if (needsResync) {
        needsResync = false;
        resync();
      }
    };
    const socket = openRealtimeSocket({
      url: botsSocketUrl(window.location, botId),
      finalCodes: [1000, CLOSE_UNAUTHENTICATED, CLOSE_NOT_FOUND],
      onStatus: setStatus,
      onMessage: (data) => {
        if (handshakeOf(data)) {
          // The server joined our group before it sent this: re-read now, and nothing committed
          // from here on can be missed (its message is queued behind the read).
          resync();
          return;
        }
        const message = parseBotMessage(data);
        if (!message) return;
        queue.push(message);
        if (frame === null) frame = requestAnimationFrame(flush);
      },
    });
    return () => {
      if (frame !== null) cancelAnimationFrame(frame);
      socket.close();
    };
  }, [botId, resync]);

  return {
    bots: state.bots,
    recent: state.recent,
    synced: state.synced,
    status,
    refresh: resync,
    upsert: (bot) => dispatch({ type: "upsert", bot }),
    remove: (id) => dispatch({ type: "removed", id }),
  };
}
