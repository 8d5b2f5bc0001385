// The alerts endpoints and their React Query hooks, through the app's API client (session
// cookie + CSRF on writes).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import type { Alert, AlertPage, Channel, ChannelCreate, ChannelUpdate, TestQueued } from "./types";

const CHANNELS = "/notifications/channels/";
const ALERTS = "/notifications/alerts/";
const RECENT = 50; // alerts the page lists
const POLL_MS = 1_000; // how often a test alert's outcome is asked for while it is on its way

export const alertsApi = {
  channels: (signal?: AbortSignal) => apiRequest<Channel[]>(CHANNELS, signal ? { signal } : {}),
  create: (body: ChannelCreate) => apiRequest<Channel>(CHANNELS, { method: "POST", body }),
  update: (id: number, body: ChannelUpdate) => apiRequest<Channel>(`${CHANNELS}${id}/`, { method: "PATCH", body }),
  remove: (id: number) => apiRequest<void>(`${CHANNELS}${id}/`, { method: "DELETE" }),
  test: (id: number) => apiRequest<TestQueued>(`${CHANNELS}${id}/test/`, { method: "POST" }),
  alerts: (signal?: AbortSignal) => apiRequest<AlertPage>(`${ALERTS}?limit=${RECENT}`, signal ? { signal } : {}),
  alert: (id: number, signal?: AbortSignal) => apiRequest<Alert>(`${ALERTS}${id}/`, signal ? { signal } : {}),
};

export const alertKeys = {
  channels: ["alert-channels"] as const,
  alerts: ["alerts"] as const,
  alert: (id: number) => ["alerts", id] as const,
};

export function useChannels() {
  return useQuery({ queryKey: alertKeys.channels, queryFn: ({ signal }) => alertsApi.channels(signal) });
}

export function useRecentAlerts() {
  return useQuery({ queryKey: alertKeys.alerts, queryFn: ({ signal }) => alertsApi.alerts(signal) });
}

/** A test alert until it is sent or failed (asked again every second while on its way). */
export function useTestAlert(id: number | null) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: alertKeys.alert(id ?? 0),
    enabled: id !== null,
    queryFn: async ({ signal }) => {
      const alert = await alertsApi.alert(id as number, signal);
      if (alert.status === "sent" || alert.status === "failed") {
        void queryClient.invalidateQueries({ queryKey: alertKeys.channels }); // last sent / last error
        void queryClient.invalidateQueries({ queryKey: alertKeys.alerts, exact: true });
      }
      return alert;
    },
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === "sent" || status === "failed" ? false : POLL_MS;
    },
  });
}

function useChannelsMutation<A, R>(fn: (arg: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => queryClient.invalidateQueries({ queryKey: alertKeys.channels }) });
}

export const useCreateChannel = () => useChannelsMutation((body: ChannelCreate) => alertsApi.create(body));
export const useUpdateChannel = () => useChannelsMutation(({ id, body }: { id: number; body: ChannelUpdate }) => alertsApi.update(id, body));
export const useDeleteChannel = () => useChannelsMutation((id: number) => alertsApi.remove(id));

export function useSendTest() {
  return useMutation({ mutationFn: (id: number) => alertsApi.test(id) });
}
