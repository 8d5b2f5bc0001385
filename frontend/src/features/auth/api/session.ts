// The signed-in user (GET /api/auth/me/) and what changes it: sign-in, sign-up, sign-out.
// The browser holds only Django's HttpOnly session cookie; the page never sees a token.
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { ApiError, apiRequest } from "@/lib/api-client";
import type { User } from "@/lib/api-types";

export const CURRENT_USER_KEY = ["auth", "me"] as const;

/** What /api/auth/login/ and /api/auth/signup/ answer: the user, the session in a cookie. */
export interface SessionResponse {
  user: User;
}

export interface LoginBody {
  username: string;
  password: string;
}

export interface SignupBody {
  username: string;
  email: string;
  password: string;
}

/** The user, or null when signed out (401/403 is an answer here, not an error). */
export async function fetchCurrentUser(signal?: AbortSignal): Promise<User | null> {
  try {
    return await apiRequest<User>("/auth/me/", signal ? { signal } : {});
  } catch (error) {
    if (error instanceof ApiError && error.kind === "unauthorized") return null;
    throw error;
  }
}

export const loginRequest = (body: LoginBody) => apiRequest<SessionResponse>("/auth/login/", { method: "POST", body });
export const signupRequest = (body: SignupBody) => apiRequest<SessionResponse>("/auth/signup/", { method: "POST", body });
/** Ends this session, or `everywhere`: every session and API token of the user. */
export const logoutRequest = (everywhere: boolean) =>
  apiRequest<void>(everywhere ? "/auth/logout-all/" : "/auth/logout/", { method: "POST" });

export function useCurrentUser() {
  return useQuery({
    queryKey: CURRENT_USER_KEY,
    queryFn: ({ signal }) => fetchCurrentUser(signal),
    staleTime: 5 * 60_000,
  });
}

/** A new session: nothing cached for the previous user may show. */
function startSession(queryClient: QueryClient, user: User | null) {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== "auth" });
  queryClient.setQueryData(CURRENT_USER_KEY, user);
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: loginRequest,
    onSuccess: (response) => startSession(queryClient, response.user),
  });
}

export function useSignup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signupRequest,
    onSuccess: (response) => startSession(queryClient, response.user),
  });
}

/** Sign out of this browser, or `everywhere` (every session and token of the user). */
export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ everywhere }: { everywhere: boolean }) => logoutRequest(everywhere),
    // Signed out either way: an expired session answers 401/403, which is the same outcome.
    onSettled: (_data, error) => {
      if (!error || (error instanceof ApiError && error.kind === "unauthorized")) startSession(queryClient, null);
    },
  });
}
