// Django's CSRF protection for the session cookie: unsafe requests carry the `csrftoken`
// cookie's value in X-CSRFToken. The cookie is read on every request (Django rotates it at
// sign-in); when there is none yet, GET /api/auth/csrf/ sets it.
import { API_BASE_PATH } from "@/config/api";

export const CSRF_COOKIE = "csrftoken";
export const CSRF_HEADER = "X-CSRFToken";

/** The value of `name` in a `document.cookie` string, or null. */
export function cookieValue(cookies: string, name: string): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

function currentCookies(): string {
  return typeof document === "undefined" ? "" : document.cookie;
}

let fetching: Promise<unknown> | null = null;

/** The CSRF token, asking the API to set the cookie first when there is none. */
export async function csrfToken(): Promise<string | null> {
  const existing = cookieValue(currentCookies(), CSRF_COOKIE);
  if (existing) return existing;
  // One request for all the callers waiting at the same time.
  fetching ??= fetch(`${API_BASE_PATH}/auth/csrf/`, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .catch(() => null)
    .finally(() => {
      fetching = null;
    });
  await fetching;
  return cookieValue(currentCookies(), CSRF_COOKIE);
}

export function isUnsafeMethod(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS", "TRACE"].includes(method.toUpperCase());
}
