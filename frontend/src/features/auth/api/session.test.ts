// The auth requests against a stubbed HTTP boundary (fetch and the cookie jar), as the browser
// makes them: session cookie + CSRF header, never a token.
import { afterEach, describe, expect, it, vi } from "vitest";
import { loginErrorMessage, signupErrors } from "../model/auth-messages";
import { fetchCurrentUser, loginRequest, logoutRequest, signupRequest } from "./session";

type Call = { url: string; method: string; headers: Record<string, string>; body: unknown; credentials: string | undefined };

function server(routes: Record<string, () => Response>) {
  const jar = { cookie: "csrftoken=tok" };
  const calls: Call[] = [];
  vi.stubGlobal("document", jar);
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? "GET";
      calls.push({
        url,
        method,
        headers: (init.headers ?? {}) as Record<string, string>,
        body: typeof init.body === "string" ? JSON.parse(init.body) : null,
        credentials: init.credentials,
      });
      const route = routes[`${method} ${url}`];
      return route ? route() : new Response(JSON.stringify({ detail: "Not found." }), { status: 404 });
    }),
  );
  return calls;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const user = { id: 7, username: "ana", email: "ana@example.com", is_staff: false };

afterEach(() => vi.unstubAllGlobals());

describe("session requests", () => {
  it("reads the signed-in user, and 401 or 403 as signed out", async () => {
    server({ "GET /api/auth/me/": () => json(200, user) });
    expect(await fetchCurrentUser()).toEqual(user);
    for (const status of [401, 403]) {
      server({ "GET /api/auth/me/": () => json(status, { detail: "Authentication credentials were not provided." }) });
      expect(await fetchCurrentUser()).toBeNull();
    }
    server({ "GET /api/auth/me/": () => json(500, { detail: "boom" }) });
    await expect(fetchCurrentUser()).rejects.toThrow("boom");
  });

  it("signs in with a CSRF-protected POST and keeps no token", async () => {
    const calls = server({ "POST /api/auth/login/": () => json(200, { user }) });
    expect(await loginRequest({ username: "ana", password: "pw" })).toEqual({ user });
    expect(calls[0]).toMatchObject({
      method: "POST",
      body: { username: "ana", password: "pw" },
      credentials: "same-origin",
      headers: { "X-CSRFToken": "tok", "Content-Type": "application/json" },
    });
    expect(calls[0]!.headers.Authorization).toBeUndefined();
  });

  it("explains a throttled sign-in with the wait from Retry-After", async () => {
    server({ "POST /api/auth/login/": () => json(429, { detail: "Request was throttled." }, { "Retry-After": "42" }) });
    const error = await loginRequest({ username: "ana", password: "x" }).catch((e: unknown) => e);
    expect(loginErrorMessage(error)).toBe("Too many attempts: try again in 42 s.");
  });

  it("signs up, and shows the field the API refuses under that field", async () => {
    const calls = server({ "POST /api/auth/signup/": () => json(201, { user }) });
    expect(await signupRequest({ username: "ana", email: "ana@example.com", password: "long-enough-1" })).toEqual({ user });
    expect(calls[0]!.body).toEqual({ username: "ana", email: "ana@example.com", password: "long-enough-1" });
    server({ "POST /api/auth/signup/": () => json(400, { password: ["This password is too common."] }) });
    const error = await signupRequest({ username: "ana", email: "a@b.c", password: "password" }).catch((e: unknown) => e);
    expect(signupErrors(error)).toEqual({ fields: { password: "This password is too common." }, general: null });
  });

  it("signs out here or everywhere", async () => {
    const calls = server({
      "POST /api/auth/logout/": () => new Response(null, { status: 204 }),
      "POST /api/auth/logout-all/": () => new Response(null, { status: 204 }),
    });
    await logoutRequest(false);
    await logoutRequest(true);
    expect(calls.map((c) => `${c.method} ${c.url} ${c.headers["X-CSRFToken"]}`)).toEqual([
      "POST /api/auth/logout/ tok",
      "POST /api/auth/logout-all/ tok",
    ]);
  });
});
