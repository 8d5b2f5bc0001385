import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiGet, apiRequest, buildApiUrl, fieldErrorsOf, retryAfterOf } from "./api-client";

function answer(status: number, body: unknown) {
  const text = body === undefined ? "" : JSON.stringify(body);
  vi.stubGlobal("fetch", vi.fn(async () => new Response(text, { status })));
}

async function failure(): Promise<ApiError> {
  try {
    await apiGet("/x/");
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("apiGet did not fail");
}

afterEach(() => vi.unstubAllGlobals());

describe("api client", () => {
  it("builds same-origin URLs without empty parameters", () => {
    expect(buildApiUrl("/strategies/hma-sma/run/", { symbol: "BTCUSDT", limit: 500, start: "", end: undefined })).toBe(
      "/api/strategies/hma-sma/run/?symbol=BTCUSDT&limit=500",
    );
  });

  it("explains a 404 with the backend's detail and field", async () => {
    answer(404, { detail: "No 4h candles ... Fetch them: python manage.py fetch_ohlcv X 4h", field: "timeframe" });
    const error = await failure();
    expect(error.kind).toBe("not-found");
    expect(error.field).toBe("timeframe");
    expect(error.message).toContain("python manage.py fetch_ohlcv");
  });

  it("flattens both shapes of 400 field errors", async () => {
    expect(fieldErrorsOf({ timeframe: ['"d" is not a valid choice.'], sma_period: "must be between 2 and 1000" })).toEqual({
      timeframe: '"d" is not a valid choice.',
      sma_period: "must be between 2 and 1000",
    });
    answer(400, { limit: ["Ensure this value is greater than or equal to 1."] });
    const error = await failure();
    expect(error.kind).toBe("bad-request");
    expect(error.fieldErrors.limit).toContain("greater than");
  });

  it("keeps the body of a 400 or a 409, and reads positioned errors as their messages", async () => {
    const body = { source: ["line 3, column 9: rsi() takes a series and a period"], errors: [{ line: 3, column: 9, end_line: 3, end_column: 14, message: "rsi() takes a series and a period" }] };
    answer(400, body);
    const error = await failure();
    expect(error.body).toEqual(body);
    expect(error.fieldErrors.errors).toBe("rsi() takes a series and a period");
    answer(409, { detail: "bot 'My bot' (id 5) is running with this strategy: stop it first." });
    const conflict = await failure();
    expect(conflict.message).toContain("stop it first");
    expect(conflict.body).toEqual({ detail: "bot 'My bot' (id 5) is running with this strategy: stop it first." });
  });

  it("calls a failed connection, a gateway error or an empty proxy 500 unreachable", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    expect((await failure()).kind).toBe("unreachable");
    answer(502, undefined);
    expect((await failure()).kind).toBe("unreachable");
    answer(500, undefined);
    expect((await failure()).kind).toBe("unreachable");
    answer(500, { detail: "boom" });
    expect((await failure()).kind).toBe("server");
  });

  it("says a server's HTML 500 page is the server failing, not an unreachable API", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("<!doctype html><h1>Server Error (500)</h1>", { status: 500, headers: { "Content-Type": "text/html" } })));
    const error = await failure();
    expect(error.kind).toBe("server");
    expect(error.status).toBe(500);
    expect(error.message).toContain("The server failed on this request (HTTP 500)");
    expect(error.message).not.toContain("not answering");
  });
});

describe("apiRequest", () => {
  /** The HTTP boundary as a browser sees it: a cookie jar (document.cookie) and the server. */
  function browser(cookies: string, answer: (url: string, init: RequestInit) => Response) {
    const jar = { cookie: cookies };
    const calls: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal("document", jar);
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit = {}) => {
        calls.push({ url, init });
        if (url === "/api/auth/csrf/") {
          jar.cookie = `${jar.cookie}; csrftoken=fresh-token`.replace(/^; /, "");
          return new Response("{}", { status: 200 });
        }
        return answer(url, init);
      }),
    );
    return calls;
  }
  const headersOf = (init: RequestInit) => init.headers as Record<string, string>;

  it("sends unsafe requests with the session cookie and the CSRF token, never an Authorization header", async () => {
    const calls = browser("theme=dark; csrftoken=abc%3D1", () => new Response(JSON.stringify({ id: 3 }), { status: 201 }));
    const created = await apiRequest<{ id: number }>("/analytics/backtests/", { method: "POST", body: { a: 1 } });
    expect(created).toEqual({ id: 3 });
    expect(calls).toHaveLength(1);
    const { url, init } = calls[0]!;
    expect(url).toBe("/api/analytics/backtests/");
    expect(init.credentials).toBe("same-origin");
    expect(headersOf(init)["X-CSRFToken"]).toBe("abc=1");
    expect(headersOf(init).Authorization).toBeUndefined();
    expect(init.body).toBe('{"a":1}');
  });

  it("asks the API for the CSRF cookie first when there is none", async () => {
    const calls = browser("", () => new Response(null, { status: 204 }));
    await apiRequest("/auth/logout/", { method: "POST" });
    expect(calls.map((c) => c.url)).toEqual(["/api/auth/csrf/", "/api/auth/logout/"]);
    expect(headersOf(calls[1]!.init)["X-CSRFToken"]).toBe("fresh-token");
  });

  it("sends no CSRF token with a GET and reads 401 and 403 as unauthorized", async () => {
    for (const status of [401, 403]) {
      const calls = browser("", () => new Response(JSON.stringify({ detail: "Authentication credentials were not provided." }), { status }));
      const error = await apiRequest("/auth/me/").catch((e: unknown) => e);
      expect((error as ApiError).kind).toBe("unauthorized");
      expect(calls).toHaveLength(1);
      expect(headersOf(calls[0]!.init)["X-CSRFToken"]).toBeUndefined();
    }
  });

  it("reads a 429 as throttled with the seconds of its Retry-After", async () => {
    browser("csrftoken=t", () => new Response(JSON.stringify({ detail: "Request was throttled." }), { status: 429, headers: { "Retry-After": "17" } }));
    const error = (await apiRequest("/auth/login/", { method: "POST", body: {} }).catch((e: unknown) => e)) as ApiError;
    expect(error.kind).toBe("throttled");
    expect(error.retryAfterSeconds).toBe(17);
    expect(error.message).toBe("Too many requests: try again in 17 s.");
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterOf("12.2", now)).toBe(13);
    expect(retryAfterOf("Thu, 01 Jan 2026 00:01:00 GMT", now)).toBe(60);
    expect(retryAfterOf("soon", now)).toBeNull();
    expect(retryAfterOf(null, now)).toBeNull();
  });

  it("flattens nested field errors", () => {
    expect(fieldErrorsOf({ params: { fast_period: "must be between 2 and 500" }, end: "must be after start" })).toEqual({
      "params.fast_period": "must be between 2 and 500",
      end: "must be after start",
    });
  });
});
