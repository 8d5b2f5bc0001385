// A WebSocket that lasts (docs/realtime.md): it watches the server's heartbeats, declares the
// connection dead after `deadAfterBeats` silent intervals, and reconnects with exponential backoff
// until the server gives a final answer (a close code in `finalCodes`) or the owner closes it.
// Every socket of the app goes through it; features only see messages and a status. The close
// codes and message types are the server's (realtime-protocol.ts, generated from
// apps/realtime/protocol.py).
import { MESSAGE_READY } from "./realtime-protocol";

export type SocketStatus =
  | { state: "connecting"; attempt: number }
  | { state: "open"; attempt: number }
  /** Lost: the next attempt starts in `retryInMs` (the UI shows a banner). */
  | { state: "reconnecting"; attempt: number; retryInMs: number; code: number; reason: string }
  /** The server refused for good (or the owner closed): no more attempts. */
  | { state: "closed"; code: number; reason: string };

export interface RealtimeSocketOptions {
  url: string;
  onMessage: (data: string) => void;
  onStatus: (status: SocketStatus) => void;
  /** Seconds between server heartbeats until the server says otherwise (setHeartbeat). */
  heartbeatSeconds?: number;
  /** Silent heartbeat intervals after which the connection counts as dead. */
  deadAfterBeats?: number;
  /** Close codes after which reconnecting cannot help (the server said no). */
  finalCodes?: readonly number[];
  /** Backoff: first delay, growth factor and cap, in ms; each delay gets +-20% jitter. */
  backoff?: { firstMs: number; factor: number; maxMs: number };
  /** For tests: the WebSocket constructor, the clock and the random source. */
  WebSocketImpl?: new (url: string) => WebSocketLike;
  random?: () => number;
}

/** The ws:// (wss:// on https) URL of `path` on the page's own host. */
export function sameHostSocketUrl(path: string, loc: { protocol: string; host: string }): string {
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}${path}`;
}

/** What we use of a browser WebSocket (tests pass a fake). */
export interface WebSocketLike {
  readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send: (data: string) => void;
  close: (code?: number, reason?: string) => void;
}

/** The handshake every socket sends first: whether events are pushed, the heartbeat interval,
 * and the socket's own snapshot (e.g. `bots`). */
export interface Handshake {
  type: typeof MESSAGE_READY;
  push: boolean;
  heartbeat: number;
  [key: string]: unknown;
}

/** The frame as the handshake, or null for any other frame (or one that is not JSON). */
export function handshakeOf(data: string): Handshake | null {
  if (!data.includes(`"${MESSAGE_READY}"`)) return null; // most frames, without parsing them
  try {
    const value = JSON.parse(data) as Record<string, unknown> | null;
    if (value && value.type === MESSAGE_READY && typeof value.push === "boolean") return value as unknown as Handshake;
  } catch {
    /* not JSON */
  }
  return null;
}

const OPEN = 1;
/** Our own code when the heartbeat watchdog gives up on a silent connection. */
export const CLOSE_HEARTBEAT_LOST = 4000;
export const DEFAULT_BACKOFF = { firstMs: 500, factor: 2, maxMs: 10_000 };

export interface RealtimeSocket {
  send: (message: unknown) => boolean;
  /** Seconds between heartbeats, as announced by the server. */
  setHeartbeat: (seconds: number) => void;
  close: () => void;
}

export function backoffDelay(attempt: number, backoff = DEFAULT_BACKOFF, random = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.firstMs * backoff.factor ** Math.max(attempt - 1, 0));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function openRealtimeSocket(options: RealtimeSocketOptions): RealtimeSocket {
  const Impl = options.WebSocketImpl ?? (WebSocket as unknown as new (url: string) => WebSocketLike);
  const finalCodes = options.finalCodes ?? [1000];
  const deadAfterBeats = options.deadAfterBeats ?? 3;
  const random = options.random ?? Math.random;
  let heartbeatMs = (options.heartbeatSeconds ?? 5) * 1000;
  let socket: WebSocketLike | null = null;
  let attempt = 0; // failed attempts since the last successful open
  let closedByOwner = false;
  let watchdog: ReturnType<typeof setTimeout> | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;

  const stopWatchdog = () => {
    if (watchdog !== null) clearTimeout(watchdog);
    watchdog = null;
  };
  // Any message proves the connection alive; silence for deadAfterBeats intervals does not.
  const armWatchdog = () => {
    stopWatchdog();
    watchdog = setTimeout(() => {
      const lost = socket;
      if (!lost) return;
      detach(lost);
      lost.close(CLOSE_HEARTBEAT_LOST, "no heartbeat");
      onLost(CLOSE_HEARTBEAT_LOST, `no message for ${(deadAfterBeats * heartbeatMs) / 1000} s`);
    }, deadAfterBeats * heartbeatMs);
  };
  const detach = (s: WebSocketLike) => {
    s.onopen = s.onclose = s.onmessage = s.onerror = null;
    if (socket === s) socket = null;
    stopWatchdog();
  };
  const onLost = (code: number, reason: string) => {
    if (closedByOwner) return;
    if (finalCodes.includes(code)) {
      options.onStatus({ state: "closed", code, reason });
      return;
    }
    attempt += 1;
    const retryInMs = backoffDelay(attempt, options.backoff ?? DEFAULT_BACKOFF, random);
    options.onStatus({ state: "reconnecting", attempt, retryInMs, code, reason });
    retry = setTimeout(() => {
      retry = null;
      connect();
    }, retryInMs);
  };
  const connect = () => {
    options.onStatus({ state: "connecting", attempt });
    const s = new Impl(options.url);
    socket = s;
    armWatchdog(); // a handshake that hangs counts as a silent connection too
    s.onopen = () => {
      attempt = 0;
      armWatchdog();
      options.onStatus({ state: "open", attempt });
    };
    s.onmessage = (event) => {
      if (typeof event.data !== "string") return armWatchdog();
      const handshake = handshakeOf(event.data); // the server says how often it beats
      if (handshake && Number.isFinite(handshake.heartbeat) && handshake.heartbeat > 0) heartbeatMs = handshake.heartbeat * 1000;
      armWatchdog();
      options.onMessage(event.data);
    };
    s.onclose = (event) => {
      detach(s);
      onLost(event.code, event.reason);
    };
  };
  connect();

  return {
    send(message) {
      if (!socket || socket.readyState !== OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    setHeartbeat(seconds) {
      if (Number.isFinite(seconds) && seconds > 0) {
        heartbeatMs = seconds * 1000;
        if (watchdog !== null) armWatchdog();
      }
    },
    close() {
      closedByOwner = true;
      if (retry !== null) clearTimeout(retry);
      const s = socket;
      if (s) {
        detach(s);
        s.close(1000);
      }
    },
  };
}
