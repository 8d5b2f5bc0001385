import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api-client";
import { loginErrorMessage, signupErrors } from "./auth-messages";

describe("sign-in and sign-up messages", () => {
  it("says how long to wait when throttled", () => {
    const throttled = new ApiError({ kind: "throttled", status: 429, retryAfterSeconds: 42, message: "x" });
    expect(loginErrorMessage(throttled)).toBe("Too many attempts: try again in 42 s.");
    expect(loginErrorMessage(new ApiError({ kind: "throttled", status: 429, message: "x" }))).toBe("Too many attempts: try again later.");
  });

  it("does not say which of username or password was wrong", () => {
    const bad = new ApiError({ kind: "bad-request", status: 400, message: "detail: Invalid username or password." });
    expect(loginErrorMessage(bad)).toBe("Wrong username or password.");
    expect(loginErrorMessage(null)).toBeNull();
  });

  it("puts sign-up field errors under their fields and the rest above the form", () => {
    const error = new ApiError({
      kind: "bad-request",
      status: 400,
      message: "x",
      fieldErrors: { password: "This password is too common.", username: "A user with that username already exists.", non_field_errors: "Nope." },
    });
    expect(signupErrors(error)).toEqual({
      fields: { password: "This password is too common.", username: "A user with that username already exists." },
      general: "Nope.",
    });
    expect(signupErrors(new ApiError({ kind: "unreachable", message: "No answer from the API (/api/auth/signup/)." })).general).toContain("No answer");
  });
});
