import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api-client";
import { riskApi } from "./risk-profiles";

afterEach(() => vi.unstubAllGlobals());

/** A browser with a CSRF cookie and a server answering `respond`; returns the requests sent. */
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

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

describe("risk api", () => {
  it("speaks to /api/risk/ with the right methods and bodies, CSRF on writes", async () => {
    const calls = server((_url, init) => (init.method === "DELETE" ? new Response(null, { status: 204 }) : json([])));
    await riskApi.list();
    await riskApi.create({ name: "Tight", stop_loss: 0.01 });
    await riskApi.update(3, { is_default: true });
    await riskApi.remove(3);
    expect(calls).toEqual([
      { url: "/api/risk/profiles/", method: "GET", body: undefined, csrf: undefined },
      { url: "/api/risk/profiles/", method: "POST", body: { name: "Tight", stop_loss: 0.01 }, csrf: "tok" },
      { url: "/api/risk/profiles/3/", method: "PATCH", body: { is_default: true }, csrf: "tok" },
      { url: "/api/risk/profiles/3/", method: "DELETE", body: undefined, csrf: "tok" },
    ]);
  });

  it("keeps only the profile fields the form knows", async () => {
    server(() =>
      json([
        { name: "stop_loss", type: "number", min: 0, max: 0.5, min_inclusive: false, max_inclusive: true, nullable: false, default: 0.02, help_text: "" },
        { name: "future_rule", type: "number", min: 0, max: 1, min_inclusive: true, max_inclusive: true, nullable: true, default: null, help_text: "" },
      ]),
    );
    expect((await riskApi.fields()).map((f) => f.name)).toEqual(["stop_loss"]);
  });

  it("hands a 400's field errors and a 409's words to the page", async () => {
    server(() => json({ risk_per_trade: "must be in (0, 0.1]" }, 400));
    const bad = (await riskApi.create({ name: "X", risk_per_trade: 1 }).catch((e: unknown) => e)) as ApiError;
    expect(bad.fieldErrors).toEqual({ risk_per_trade: "must be in (0, 0.1]" });
    server(() => json({ detail: "Risk profile 'Tight' is in use by running bot 'BTC 5m' (id 7): stop it first.", used_by: [] }, 409));
    const held = (await riskApi.remove(3).catch((e: unknown) => e)) as ApiError;
    expect(held.message).toContain("in use by running bot 'BTC 5m'");
  });
});
