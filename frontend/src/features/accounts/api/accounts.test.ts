import { afterEach, describe, expect, it, vi } from "vitest";
import { accountsApi } from "./accounts";

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

describe("accounts api", () => {
  it("lists, adds, checks and deletes under /api/exchanges/accounts/, CSRF on writes", async () => {
    const calls = server((_url, init) => (init.method === "DELETE" ? new Response(null, { status: 204 }) : new Response("{}", { status: 200 })));
    const body = { label: "Main", exchange: "binance", environment: "live" as const, api_key: "k".repeat(10), secret: "s".repeat(10), passphrase: "" };
    await accountsApi.list();
    await accountsApi.create(body);
    await accountsApi.check(4);
    await accountsApi.remove(4);
    expect(calls).toEqual([
      { url: "/api/exchanges/accounts/", method: "GET", body: undefined, csrf: undefined },
      { url: "/api/exchanges/accounts/", method: "POST", body, csrf: "tok" },
      { url: "/api/exchanges/accounts/4/check/", method: "POST", body: undefined, csrf: "tok" },
      { url: "/api/exchanges/accounts/4/", method: "DELETE", body: undefined, csrf: "tok" },
    ]);
  });
});
