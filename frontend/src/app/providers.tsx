import { QueryCache, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { CURRENT_USER_KEY } from "@/features/auth";
import { ApiError } from "@/lib/api-client";
import { createQueryClient } from "@/lib/query-client";

export function AppProviders({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => {
    const client = createQueryClient({
      // A 401/403 anywhere means the session ended: ask who is signed in again, so the pages
      // that need a user show the sign-in page.
      queryCache: new QueryCache({
        onError: (error, query) => {
          if (error instanceof ApiError && error.kind === "unauthorized" && query.queryKey[0] !== "auth") {
            void client.invalidateQueries({ queryKey: CURRENT_USER_KEY });
          }
        },
      }),
    });
    return client;
  });
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
