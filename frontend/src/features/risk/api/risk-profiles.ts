// The risk profile endpoints and their React Query hooks. The feature does not import another
// feature: the app hands it the authenticated request function (the backtests feature's
// `authedRequest`, once it accepts PATCH).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ProfileField, RiskProfile, RiskProfileBody } from "./types";

export interface RiskRequestOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
}

export type RiskRequester = <T>(path: string, options?: RiskRequestOptions) => Promise<T>;

const PROFILES = "/risk/profiles/";

/** The endpoints as plain functions (unit tested with a recording requester). */
export function riskApi(request: RiskRequester) {
  return {
    list: (signal?: AbortSignal) => request<RiskProfile[]>(PROFILES, { signal }),
    fields: (signal?: AbortSignal) => request<ProfileField[]>("/risk/profile-fields/", { signal }),
    create: (body: RiskProfileBody) => request<RiskProfile>(PROFILES, { method: "POST", body }),
    update: (id: number, body: RiskProfileBody) => request<RiskProfile>(`${PROFILES}${id}/`, { method: "PATCH", body }),
    remove: (id: number) => request<void>(`${PROFILES}${id}/`, { method: "DELETE" }),
  };
}

export const riskKeys = {
  profiles: ["risk", "profiles"] as const,
  fields: ["risk", "fields"] as const,
};

export function useRiskProfiles(request: RiskRequester) {
  return useQuery({ queryKey: riskKeys.profiles, queryFn: ({ signal }) => riskApi(request).list(signal) });
}

/** The bounds never change while the app runs. */
export function useProfileFields(request: RiskRequester) {
  return useQuery({ queryKey: riskKeys.fields, queryFn: ({ signal }) => riskApi(request).fields(signal), staleTime: Infinity });
}

/** Create (no id) or change (id) a profile; the list is refetched (a new default moves). */
export function useSaveRiskProfile(request: RiskRequester) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: number; body: RiskProfileBody }) =>
      id === undefined ? riskApi(request).create(body) : riskApi(request).update(id, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: riskKeys.profiles }),
  });
}

export function useDeleteRiskProfile(request: RiskRequester) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => riskApi(request).remove(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: riskKeys.profiles }),
  });
}
