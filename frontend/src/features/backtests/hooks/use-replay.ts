// The replay WebSocket: one socket per mounted panel, state through the pure reducer in
// model/replay.ts. Chart updates go straight to the sink (no React render per candle); the
// React state is refreshed at most once per animation frame.
import { useCallback, useEffect, useRef, useState } from "react";
import {
  initialReplayState,
  parseServerMessage,
  replayReducer,
  replaySocketUrl,
  type ReplayCandle,
  type ReplayClientMessage,
  type ReplayEvent,
  type ReplayMarker,
  type ReplayState,
} from "../model/replay";

export interface ReplaySink {
  candle: (candle: ReplayCandle) => void;
  /** After a seek: the candles kept, to reset the series with. */
  reset: (candles: ReplayCandle[]) => void;
  markers: (markers: ReplayMarker[]) => void;
}

export function useReplay(runId: number, sink: ReplaySink) {
  const [state, setState] = useState<ReplayState>(initialReplayState);
  const stateRef = useRef<ReplayState>(initialReplayState);
  const sinkRef = useRef(sink);
  sinkRef.current = sink;
  const socketRef = useRef<WebSocket | null>(null);

  useEffect(() => {
    let frame: number | null = null;
    let candles: ReplayCandle[] = [];
    stateRef.current = initialReplayState;
    setState(initialReplayState);
    const flush = () => {
      frame = null;
      setState(stateRef.current);
    };
    const apply = (event: ReplayEvent) => {
      const prev = stateRef.current;
      const next = replayReducer(prev, event);
      stateRef.current = next;
      if (event.kind === "message") {
        const m = event.message;
        if (m.type === "start") {
          candles = [];
          sinkRef.current.reset(candles);
        } else if (m.type === "candle") {
          candles.push(m);
          sinkRef.current.candle(m);
        } else if (m.type === "seeked") {
          candles = candles.filter((c) => c.index < m.index);
          sinkRef.current.reset(candles);
        }
        if (next.markers !== prev.markers) sinkRef.current.markers(next.markers);
      }
      if (frame === null) frame = requestAnimationFrame(flush);
    };
    const socket = new WebSocket(replaySocketUrl(runId, window.location));
    socketRef.current = socket;
    socket.onopen = () => apply({ kind: "open" });
    socket.onclose = (e) => apply({ kind: "close", code: e.code });
    socket.onmessage = (e) => {
      const message = parseServerMessage(e.data);
      if (message) apply({ kind: "message", message });
    };
    return () => {
      socket.onopen = socket.onclose = socket.onmessage = null;
      socket.close(1000);
      if (socketRef.current === socket) socketRef.current = null;
      if (frame !== null) cancelAnimationFrame(frame);
    };
  }, [runId]);

  const send = useCallback((message: ReplayClientMessage) => {
    const socket = socketRef.current;
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }, []);

  return { state, send };
}
