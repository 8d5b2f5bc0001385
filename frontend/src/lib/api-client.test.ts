import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiGet, buildApiUrl, fieldErrorsOf } from "./api-client";

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
});

describe("apiRequest", () => {
  it("sends the token and a JSON body, and reads 401 as unauthorized", async () => {
    const { apiRequest } = await import("./api-client");
    const calls: RequestInit[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = (async (_url: string, init: RequestInit) => {
      calls.push(init);
      return new Response(JSON.stringify({ detail: "Invalid token." }), { status: 401 });
    }) as typeof fetch;
    try {
      const error = await apiRequest("/analytics/backtests/", { method: "POST", body: { a: 1 }, token: "abc" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).kind).toBe("unauthorized");
      expect((calls[0]!.headers as Record<string, string>).Authorization).toBe("Token abc");
      expect(calls[0]!.body).toBe('{"a":1}');
    } finally {
      globalThis.fetch = original;
    }
  });

  it("flattens nested field errors", () => {
    expect(fieldErrorsOf({ params: { fast_period: "must be between 2 and 500" }, end: "must be after start" })).toEqual({
      "params.fast_period": "must be between 2 and 500",
      end: "must be after start",
    });
  });
});
