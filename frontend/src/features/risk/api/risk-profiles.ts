// The risk profile endpoints and their React Query hooks, through the app's API client (session
// cookie + CSRF on writes).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import { isRiskValueName, type ProfileField, type RiskProfile, type RiskProfileBody } from "./types";

const PROFILES = "/risk/profiles/";

/** The endpoints as plain functions. */
export const riskApi = {
  list: (signal?: AbortSignal) => apiRequest<RiskProfile[]>(PROFILES, signal ? { signal } : {}),
  /** Only the fields this form knows (a newer server's extra field is not shown half-done). */
  fields: async (signal?: AbortSignal) => {
    const fields = await apiRequest<Array<Omit<ProfileField, "name"> & { name: string }>>("/risk/profile-fields/", signal ? { signal } : {});
    return fields.filter((field): field is ProfileField => isRiskValueName(field.name));
  },
  create: (body: RiskProfileBody) => apiRequest<RiskProfile>(PROFILES, { method: "POST", body }),
  update: (id: number, body: RiskProfileBody) => apiRequest<RiskProfile>(`${PROFILES}${id}/`, { method: "PATCH", body }),
  remove: (id: number) => apiRequest<void>(`${PROFILES}${id}/`, { method: "DELETE" }),
};

export const riskKeys = {
  profiles: ["risk", "profiles"] as const,
  fields: ["risk", "fields"] as const,
};

export function useRiskProfiles() {
  return useQuery({ queryKey: riskKeys.profiles, queryFn: ({ signal }) => riskApi.list(signal) });
}

/** The bounds never change while the app runs. */
export function useProfileFields() {
  return useQuery({ queryKey: riskKeys.fields, queryFn: ({ signal }) => riskApi.fields(signal), staleTime: Infinity });
}

/** Create (no id) or change (id) a profile; the list is refetched (a new default moves). */
export function useSaveRiskProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: number; body: RiskProfileBody }) => (id === undefined ? riskApi.create(body) : riskApi.update(id, body)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: riskKeys.profiles }),
  });
}

export function useDeleteRiskProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => riskApi.remove(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: riskKeys.profiles }),
  });
}
