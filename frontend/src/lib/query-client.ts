import { QueryClient, type QueryClientConfig } from "@tanstack/react-query";
import { ApiError } from "./api-client";

export function createQueryClient(config: Omit<QueryClientConfig, "defaultOptions"> = {}): QueryClient {
  return new QueryClient({
    ...config,
    defaultOptions: {
      queries: {
        // 4xx answers will not change by asking again; only a server that did not answer gets one
        // more try before the error is shown.
        retry: (failureCount, error) =>
          error instanceof ApiError && error.kind === "unreachable" && failureCount < 1,
        refetchOnWindowFocus: false,
        staleTime: 60_000,
      },
    },
  });
}
