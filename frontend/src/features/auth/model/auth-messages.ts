// What a failed sign-in or sign-up tells the user.
import { ApiError } from "@/lib/api-client";

export function loginErrorMessage(error: unknown): string | null {
  if (!error) return null;
  if (error instanceof ApiError) {
    if (error.kind === "throttled") {
      return error.retryAfterSeconds === null
        ? "Too many attempts: try again later."
        : `Too many attempts: try again in ${error.retryAfterSeconds} s.`;
    }
    if (error.kind === "bad-request" || error.kind === "unauthorized") return "Wrong username or password.";
  }
  return error instanceof Error ? error.message : String(error);
}

export const SIGNUP_FIELDS = ["username", "email", "password"] as const;
export type SignupField = (typeof SIGNUP_FIELDS)[number];

/** Field errors under their fields; anything else (throttling, the server) above the form. */
export function signupErrors(error: unknown): { fields: Partial<Record<SignupField, string>>; general: string | null } {
  if (!error) return { fields: {}, general: null };
  if (error instanceof ApiError && error.kind === "bad-request") {
    const fields: Partial<Record<SignupField, string>> = {};
    const rest: string[] = [];
    for (const [name, text] of Object.entries(error.fieldErrors)) {
      if ((SIGNUP_FIELDS as readonly string[]).includes(name)) fields[name as SignupField] = text;
      else rest.push(name === "non_field_errors" || name === "detail" ? text : `${name}: ${text}`);
    }
    return { fields, general: rest.length ? rest.join(" ") : null };
  }
  return { fields: {}, general: loginErrorMessage(error) };
}
