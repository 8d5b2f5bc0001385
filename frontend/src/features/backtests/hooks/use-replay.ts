// The replay WebSocket (docs/backtesting.md, "Replay over WebSocket"): one socket per mounted
// panel through lib/realtime-socket (heartbeats, reconnect with backoff), state through the pure
// reducer in model/replay.ts.
//
// Flow control: events are queued as they arrive and drawn once per animation frame; the server
// only sends what the client granted (CREDIT_WINDOW candles ahead), and each frame grants back
// what it drew. So "max" is as fast as this browser draws, and after Pause at most one window
// (one frame's worth) is still on its way; it is held, not drawn, until Resume.
// Reconnect: the new socket is told where to continue (the candle after the last one received),
// the speed and the pause state before it gets any credit, so nothing is sent twice or skipped.
import { useCallback, useEffect, useRef, useState } from "react";
import { openRealtimeSocket, type RealtimeSocket } from "@/lib/realtime-socket";
import { MESSAGE_READY } from "@/lib/realtime-protocol";
import {
  CREDIT_WINDOW,
  FINAL_CLOSE_CODES,
  initialReplayState,
  parseServerMessage,
  replayReducer,
  replaySocketUrl,
  seekRedraw,
  speedMessage,
  type ReplayCandle,
  type ReplayClientMessage,
  type ReplayEvent,
  type ReplayMarker,
  type ReplaySpeed,
  type ReplayState,
  type ReplayStreamEvent,
} from "../model/replay";

export interface ReplaySink {
  /** New candles at the end (`all`: every candle drawn, the new ones included). */
  append: (added: ReplayCandle[], all: ReplayCandle[]) => void;
  /** After a seek: the candles kept, to reset the series with. */
  reset: (candles: ReplayCandle[]) => void;
  markers: (markers: ReplayMarker[]) => void;
}

/** Counters the browser tests read: every candle must arrive once, in order. */
export interface ReplayStreamStats {
  received: number;
  duplicates: number;
  gaps: number;
  reconnects: number;
}

type Queued = ReplayStreamEvent | { type: "end" };

export function useReplay(runId: number, sink: ReplaySink) {
  const [state, setState] = useState<ReplayState>(initialReplayState);
  const sinkRef = useRef(sink);
  sinkRef.current = sink;
  const socketRef = useRef<RealtimeSocket | null>(null);
  const intentRef = useRef<{ paused: boolean; speed: ReplaySpeed | null }>({ paused: false, speed: null });
  const scheduleRef = useRef<() => void>(() => {});
  const showAllRef = useRef<() => void>(() => {});
  const statsRef = useRef<ReplayStreamStats>({ received: 0, duplicates: 0, gaps: 0, reconnects: 0 });

  useEffect(() => {
    let current: ReplayState = initialReplayState;
    let frame: number | null = null;
    let candles: ReplayCandle[] = []; // drawn, for the redraw after a seek back
    const queue: Queued[] = []; // received, not drawn yet
    let lastReceived = -1; // index of the last candle received
    let started = false;
    const stats = { received: 0, duplicates: 0, gaps: 0, reconnects: 0 };
    statsRef.current = stats;
    intentRef.current = { paused: false, speed: null };
    setState(initialReplayState);

    const dispatch = (event: ReplayEvent) => {
      current = replayReducer(current, event);
    };
    const schedule = () => {
      if (frame === null) frame = requestAnimationFrame(draw);
    };
    scheduleRef.current = schedule;
    showAllRef.current = () => sinkRef.current.reset(candles);
    // Draws what is queued, and grants the server as many candles as it drew (unless they came
    // over a connection that is gone: its credit died with it).
    const drain = (grant: boolean) => {
      const markersBefore = current.markers;
      let drawn = 0;
      const first = candles.length;
      let ended = false;
      for (const event of queue) {
        dispatch({ kind: "message", message: event });
        if (event.type === "candle") {
          candles.push(event);
          drawn += 1;
        } else if (event.type === "end") ended = true;
      }
      if (drawn) sinkRef.current.append(candles.slice(first), candles);
      if (ended) sinkRef.current.reset(candles); // the whole history again
      queue.length = 0;
      if (current.markers !== markersBefore) sinkRef.current.markers(current.markers);
      if (grant && drawn) socket.send({ action: "credit", candles: drawn });
    };
    function draw() {
      frame = null;
      if (!intentRef.current.paused) drain(true);
      setState(current);
    }

    const onMessage = (raw: string) => {
      const m = parseServerMessage(raw);
      if (!m) return;
      switch (m.type) {
        case "heartbeat":
          return;
        case MESSAGE_READY: {
          const intent = intentRef.current;
          if (!started) {
            started = true;
            dispatch({ kind: "message", message: m });
            candles = [];
            sinkRef.current.reset(candles);
          } else {
            // A new connection after a loss: what arrived on the old one is drawn (its credit
            // died with it), then the server continues right after the last candle received.
            stats.reconnects += 1;
            drain(false);
            if (lastReceived >= 0) socket.send({ action: "seek", index: lastReceived + 1 });
          }
          if (intent.speed !== null && intent.speed !== m.speed) socket.send(speedMessage(intent.speed));
          if (intent.paused) socket.send({ action: "pause" });
          socket.send({ action: "credit", candles: CREDIT_WINDOW });
          break;
        }
        case "batch":
          for (const event of m.events) {
            if (event.type === "candle") {
              stats.received += 1;
              if (event.index <= lastReceived) stats.duplicates += 1;
              else if (event.index !== lastReceived + 1) stats.gaps += 1;
              lastReceived = event.index;
            }
            queue.push(event);
          }
          break;
        case "end":
          queue.push({ type: "end" });
          break;
        case "seeked": {
          drain(true); // what was sent before the seek comes first
          const redraw = seekRedraw(candles, current.markers, m);
          candles = redraw.candles;
          lastReceived = m.index - 1;
          sinkRef.current.reset(candles);
          sinkRef.current.markers(redraw.markers);
          dispatch({ kind: "redraw", index: m.index, candles: redraw.candles, markers: redraw.markers });
          break;
        }
        default:
          dispatch({ kind: "message", message: m });
      }
      schedule();
    };

    const socket = openRealtimeSocket({
      url: replaySocketUrl(runId, window.location),
      finalCodes: FINAL_CLOSE_CODES,
      onMessage,
      onStatus: (status) => {
        dispatch({ kind: "status", status });
        schedule();
      },
    });
    socketRef.current = socket;
    return () => {
      socket.close();
      if (socketRef.current === socket) socketRef.current = null;
      if (frame !== null) cancelAnimationFrame(frame);
    };
  }, [runId]);

  const send = useCallback((message: ReplayClientMessage) => {
    const intent = intentRef.current;
    if (message.action === "pause" && !intent.paused) {
      intent.paused = true;
      showAllRef.current(); // stopped: the chart holds the whole history again
    }
    if (message.action === "resume") intent.paused = false;
    if (message.action === "speed") intent.speed = message.candles_per_second;
    socketRef.current?.send(message);
    scheduleRef.current(); // Resume draws what Pause held back
  }, []);

  return { state, send, stats: statsRef };
}
