import { ApiError, apiRequest, type ApiRequestOptions } from "@/lib/api-client";
import { getToken, setToken } from "./auth-token";

/** A request with the current token; a 401 forgets the token, which shows the login form. */
export async function authedRequest<T>(path: string, options: Omit<ApiRequestOptions, "token"> = {}): Promise<T> {
  try {
    return await apiRequest<T>(path, { ...options, token: getToken() });
  } catch (error) {
    if (error instanceof ApiError && error.kind === "unauthorized" && error.status === 401) setToken(null);
    throw error;
  }
}
