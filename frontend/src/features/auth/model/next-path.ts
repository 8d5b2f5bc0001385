// Where to go after signing in: the `next` query parameter, only when it is a path of this app
// (never another site: /login?next=//evil.example would be an open redirect).

export const DEFAULT_AFTER_LOGIN = "/dashboard";

export function safeNextPath(next: string | null | undefined, fallback: string = DEFAULT_AFTER_LOGIN): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  // The sign-in pages themselves are not a destination.
  if (/^\/(login|signup)(\/|\?|$)/.test(next)) return fallback;
  return next;
}

/** The sign-in URL that comes back to `path` (a path with its query). */
export function loginPathFor(path: string): string {
  return path === "/" ? "/login" : `/login?next=${encodeURIComponent(path)}`;
}
