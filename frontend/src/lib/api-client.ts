import type { ApiErrorBody } from "./api-types";
import { API_BASE_PATH } from "@/config/api";
import { CSRF_HEADER, csrfToken, isUnsafeMethod } from "./csrf";

/**
 * What went wrong, in the terms the UI explains to the user:
 * - unreachable: no answer from the API (server down, proxy without a backend);
 * - not-found: 404 with the backend's `detail` (unknown symbol, or no candles and the fetch command);
 * - bad-request: 400 naming the fields;
 * - unauthorized: 401/403 (not signed in, or the session ended);
 * - throttled: 429, with the seconds to wait (Retry-After) when the API says;
 * - server: any other failure.
 */
export type ApiErrorKind = "unreachable" | "not-found" | "bad-request" | "unauthorized" | "throttled" | "server";

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number | null;
  readonly field: string | null;
  readonly fieldErrors: Record<string, string>;
  /** 429: seconds until the API takes the request again (its Retry-After), when known. */
  readonly retryAfterSeconds: number | null;
  /** The answer's JSON body as sent (null when none): for errors richer than field messages. */
  readonly body: unknown;

  constructor(options: {
    kind: ApiErrorKind;
    message: string;
    status?: number | null;
    field?: string | null;
    fieldErrors?: Record<string, string>;
    retryAfterSeconds?: number | null;
    body?: unknown;
  }) {
    super(options.message);
    this.name = "ApiError";
    this.kind = options.kind;
    this.status = options.status ?? null;
    this.field = options.field ?? null;
    this.fieldErrors = options.fieldErrors ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.body = options.body ?? null;
  }
}

export type QueryParams = Record<string, string | number | undefined | null>;

export function buildApiUrl(path: string, params: QueryParams = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const query = search.toString();
  return `${API_BASE_PATH}${path}${query ? `?${query}` : ""}`;
}

/** GET a JSON endpoint; every failure becomes an ApiError. */
export async function apiGet<T>(path: string, params?: QueryParams, signal?: AbortSignal): Promise<T> {
  const url = buildApiUrl(path, params);
  let response: Response;
  try {
    response = await fetch(url, { signal, credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError({ kind: "unreachable", message: `No answer from the API (${url}).` });
  }
  if (response.ok) return (await response.json()) as T;
  throw await errorFromResponse(response);
}

export interface ApiRequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  params?: QueryParams;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * Any method, JSON in and out. The browser signs in with Django's session cookie (HttpOnly, sent
 * by the browser: no token in the page); unsafe methods carry the CSRF token. Every failure
 * becomes an ApiError.
 */
export async function apiRequest<T>(path: string, options: ApiRequestOptions = {}): Promise<T> {
  const url = buildApiUrl(path, options.params);
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (isUnsafeMethod(method)) {
    const token = await csrfToken();
    if (token) headers[CSRF_HEADER] = token;
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError({ kind: "unreachable", message: `No answer from the API (${url}).` });
  }
  if (response.status === 204) return undefined as T;
  if (response.ok) return (await response.json()) as T;
  throw await errorFromResponse(response);
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  const body = jsonObjectOf(text);
  const { status } = response;
  // 502-504 come from a proxy in front of a stopped server; an EMPTY 500 is Vite's proxy
  // reporting that nothing listens behind it. A 500 with a page is the server failing.
  if (status >= 502 && status <= 504) return unreachable(status);
  if (status === 500 && text.trim() === "") return unreachable(status);
  if (status >= 500 && body === null) {
    return new ApiError({
      kind: "server",
      status,
      message: `The server failed on this request (HTTP ${status}): an error on its side, not in what you asked. Its log has the details; try again, and report it if it keeps failing.`,
    });
  }
  const detail = typeof body?.detail === "string" ? body.detail : null;
  const field = typeof body?.field === "string" ? body.field : null;
  if (status === 429) {
    const retryAfterSeconds = retryAfterOf(response.headers.get("Retry-After"));
    const wait = retryAfterSeconds === null ? "later" : `in ${retryAfterSeconds} s`;
    return new ApiError({ kind: "throttled", status, retryAfterSeconds, message: `Too many requests: try again ${wait}.` });
  }
  if (status === 401 || status === 403) {
    return new ApiError({ kind: "unauthorized", status, message: detail ?? "Sign in first." });
  }
  if (status === 404) {
    return new ApiError({ kind: "not-found", status, field, message: detail ?? "Not found." });
  }
  if (status === 400) {
    const fieldErrors = fieldErrorsOf(body ?? {});
    const message = Object.entries(fieldErrors)
      .map(([name, text]) => `${name}: ${text}`)
      .join(" ");
    return new ApiError({ kind: "bad-request", status, fieldErrors, message: message || "Bad request.", body });
  }
  return new ApiError({ kind: "server", status, message: detail ?? `The API failed (HTTP ${status}).`, body });
}

/** Retry-After in whole seconds (it may be seconds or an HTTP date), or null. */
export function retryAfterOf(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

function unreachable(status: number): ApiError {
  return new ApiError({ kind: "unreachable", status, message: `The API is not answering (HTTP ${status}).` });
}

function jsonObjectOf(text: string): ApiErrorBody | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" ? (parsed as ApiErrorBody) : null;
  } catch {
    return null;
  }
}

/** A list item of an error body: a string, or an object with a `message` (positioned errors). */
function messageOf(item: unknown): string {
  if (item && typeof item === "object" && typeof (item as { message?: unknown }).message === "string") return (item as { message: string }).message;
  return String(item);
}

/** DRF gives `{"field": ["msg", ...]}` or `{"field": "msg"}`; flatten both to one string per field. */
export function fieldErrorsOf(body: ApiErrorBody): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === "field") continue;
    if (typeof value === "string") errors[name] = value;
    else if (Array.isArray(value)) errors[name] = value.map(messageOf).join(" ");
    else if (value && typeof value === "object") {
      // Nested errors ({"params": {"sma_period": "..."}}) become "params.sma_period".
      for (const [inner, text] of Object.entries(fieldErrorsOf(value as ApiErrorBody))) errors[`${name}.${inner}`] = text;
    }
  }
  return errors;
}
