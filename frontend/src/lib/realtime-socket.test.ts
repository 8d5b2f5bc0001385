import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, CLOSE_HEARTBEAT_LOST, openRealtimeSocket, type SocketStatus, type WebSocketLike } from "./realtime-socket";

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closedWith: number | null = null;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number) {
    this.closedWith = code ?? 1005;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  message(data: string) {
    this.onmessage?.({ data });
  }
  drop(code: number, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function start(finalCodes: number[] = [1000, 4404]) {
  const statuses: SocketStatus[] = [];
  const messages: string[] = [];
  const socket = openRealtimeSocket({
    url: "ws://x/ws/",
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    heartbeatSeconds: 5,
    finalCodes,
    WebSocketImpl: FakeSocket,
    random: () => 0.5, // no jitter
  });
  return { socket, statuses, messages };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe("openRealtimeSocket", () => {
  it("declares a silent connection dead after three heartbeats and reconnects", () => {
    const { statuses } = start();
    const first = FakeSocket.all[0]!;
    first.open();
    vi.advanceTimersByTime(14_000);
    first.message('{"type":"heartbeat"}'); // alive: the watchdog starts over
    vi.advanceTimersByTime(14_999);
    expect(first.closedWith).toBeNull();
    vi.advanceTimersByTime(1);
    expect(first.closedWith).toBe(CLOSE_HEARTBEAT_LOST);
    expect(statuses.at(-1)).toMatchObject({ state: "reconnecting", attempt: 1, retryInMs: 500, code: CLOSE_HEARTBEAT_LOST });
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("backs off exponentially up to the cap, and starts over after an open", () => {
    const { statuses } = start();
    for (let attempt = 1; attempt <= 7; attempt += 1) {
      FakeSocket.all.at(-1)!.drop(1006);
      const status = statuses.at(-1)!;
      expect(status).toMatchObject({ state: "reconnecting", attempt });
      vi.advanceTimersByTime((status as { retryInMs: number }).retryInMs);
    }
    expect(statuses.filter((s) => s.state === "reconnecting").map((s) => (s as { retryInMs: number }).retryInMs)).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    FakeSocket.all.at(-1)!.open();
    FakeSocket.all.at(-1)!.drop(1006);
    expect(statuses.at(-1)).toMatchObject({ attempt: 1, retryInMs: 500 });
  });

  it("stops on a final close code and when its owner closes it", () => {
    const { socket, statuses } = start();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop(4404, "no such run");
    expect(statuses.at(-1)).toEqual({ state: "closed", code: 4404, reason: "no such run" });
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);

    const other = start();
    FakeSocket.all.at(-1)!.open();
    other.socket.close();
    expect(FakeSocket.all.at(-1)!.closedWith).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(socket.send({ a: 1 })).toBe(false);
  });

  it("follows the heartbeat interval the server announces", () => {
    const { socket } = start();
    FakeSocket.all[0]!.open();
    socket.setHeartbeat(1);
    vi.advanceTimersByTime(3_000);
    expect(FakeSocket.all[0]!.closedWith).toBe(CLOSE_HEARTBEAT_LOST);
  });

  it("sends JSON only while open and passes text messages on", () => {
    const { socket, messages } = start();
    expect(socket.send({ action: "pause" })).toBe(false);
    FakeSocket.all[0]!.open();
    expect(socket.send({ action: "pause" })).toBe(true);
    expect(FakeSocket.all[0]!.sent).toEqual(['{"action":"pause"}']);
    FakeSocket.all[0]!.message('{"type":"end"}');
    expect(messages).toEqual(['{"type":"end"}']);
  });

  it("jitters the delay by at most 20%", () => {
    expect(backoffDelay(1, undefined, () => 0)).toBe(400);
    expect(backoffDelay(1, undefined, () => 1)).toBe(600);
  });
});
