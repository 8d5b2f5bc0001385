// The exchange accounts endpoints and their React Query hooks, through the app's API client
// (session cookie + CSRF on writes).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { CheckResult, ExchangeAccount, ExchangeAccountCreate, ExchangeAccountUpdate } from "./types";

const ACCOUNTS = "/exchanges/accounts/";

export const accountsApi = {
  list: (signal?: AbortSignal) => apiRequest<ExchangeAccount[]>(ACCOUNTS, signal ? { signal } : {}),
  create: (body: ExchangeAccountCreate) => apiRequest<ExchangeAccount>(ACCOUNTS, { method: "POST", body }),
  update: (id: number, body: ExchangeAccountUpdate) => apiRequest<ExchangeAccount>(`${ACCOUNTS}${id}/`, { method: "PATCH", body }),
  remove: (id: number) => apiRequest<void>(`${ACCOUNTS}${id}/`, { method: "DELETE" }),
  check: (id: number) => apiRequest<CheckResult>(`${ACCOUNTS}${id}/check/`, { method: "POST" }),
};

export const accountKeys = { list: ["exchange-accounts"] as const };

export function useExchangeAccounts() {
  return useQuery({ queryKey: accountKeys.list, queryFn: ({ signal }) => accountsApi.list(signal) });
}

export function useCreateAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ExchangeAccountCreate) => accountsApi.create(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountKeys.list }),
  });
}

export function useUpdateAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: ExchangeAccountUpdate }) => accountsApi.update(id, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountKeys.list }),
  });
}

export function useDeleteAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => accountsApi.remove(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountKeys.list }),
  });
}

/** The check's answer is stored on the account (`last_check`): the list is read again. */
export function useCheckAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => accountsApi.check(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: accountKeys.list }),
  });
}
