import { afterEach, describe, expect, it, vi } from "vitest";
import { alertsApi } from "./alerts";

afterEach(() => vi.unstubAllGlobals());

function server(respond: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; method: string; body: unknown; csrf: string | undefined }[] = [];
  vi.stubGlobal("document", { cookie: "csrftoken=tok" });
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const headers = init.headers as Record<string, string>;
      calls.push({ url, method: init.method ?? "GET", body: init.body ? JSON.parse(String(init.body)) : undefined, csrf: headers["X-CSRFToken"] });
      return respond(url, init);
    }),
  );
  return calls;
}

describe("alerts api", () => {
  it("lists, adds, toggles, tests and deletes channels under /api/notifications/, CSRF on writes", async () => {
    const calls = server((_url, init) => (init.method === "DELETE" ? new Response(null, { status: 204 }) : new Response("{}", { status: 200 })));
    const body = { name: "Phone", url: "tgram://123456:abc/42", events: ["fill" as const], enabled: true };
    await alertsApi.channels();
    await alertsApi.create(body);
    await alertsApi.update(3, { enabled: false });
    await alertsApi.test(3);
    await alertsApi.alert(9);
    await alertsApi.alerts();
    await alertsApi.remove(3);
    expect(calls).toEqual([
      { url: "/api/notifications/channels/", method: "GET", body: undefined, csrf: undefined },
      { url: "/api/notifications/channels/", method: "POST", body, csrf: "tok" },
      { url: "/api/notifications/channels/3/", method: "PATCH", body: { enabled: false }, csrf: "tok" },
      { url: "/api/notifications/channels/3/test/", method: "POST", body: undefined, csrf: "tok" },
      { url: "/api/notifications/alerts/9/", method: "GET", body: undefined, csrf: undefined },
      { url: "/api/notifications/alerts/?limit=50", method: "GET", body: undefined, csrf: undefined },
      { url: "/api/notifications/channels/3/", method: "DELETE", body: undefined, csrf: "tok" },
    ]);
  });
});
