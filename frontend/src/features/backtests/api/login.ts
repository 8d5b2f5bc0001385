import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import { setToken } from "./auth-token";
import type { LoginResponse } from "./types";

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { username: string; password: string }) =>
      apiRequest<LoginResponse>("/auth/login/", { method: "POST", body }),
    onSuccess: (response) => {
      queryClient.removeQueries({ queryKey: ["backtests"] });
      setToken(response.token);
    },
  });
}
