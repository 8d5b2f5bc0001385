// The optimisation API's hooks: studies and walk-forwards, their trials, importance and controls.
// Unfinished work is re-read every 2 s, or every 15 s while its progress is pushed on
// /ws/backtests/ (api/study-events.ts; the embedded in-memory channel layer pushes nothing).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api-client";
import { currentStudyPollInterval } from "./study-events";
import type { CatalogStrategy, Page, Study, StudyCreateBody, StudyDetail, Trial, WalkForward, WalkForwardCreateBody, WalkForwardDetail } from "./types";

const unfinished = (status: string | undefined) => status === "running" || status === "paused";

export function useOptimisationCatalog() {
  return useQuery({
    queryKey: ["optimisation", "catalog"],
    queryFn: ({ signal }) => apiRequest<CatalogStrategy[]>("/strategies/catalog/", { signal }),
    staleTime: Infinity,
  });
}

export function useStudies() {
  return useQuery({
    queryKey: ["optimisation", "studies"],
    queryFn: ({ signal }) => apiRequest<Page<Study>>("/optimisation/studies/", { params: { limit: 50 }, signal }),
    refetchInterval: (query) => (query.state.data?.results.some((s) => unfinished(s.status)) ? currentStudyPollInterval() : false),
  });
}

export function useWalkForwards() {
  return useQuery({
    queryKey: ["optimisation", "walk-forwards"],
    queryFn: ({ signal }) => apiRequest<Page<WalkForward>>("/optimisation/walk-forwards/", { params: { limit: 50 }, signal }),
    refetchInterval: (query) => (query.state.data?.results.some((w) => unfinished(w.status)) ? currentStudyPollInterval() : false),
  });
}

export function useStudy(id: number) {
  return useQuery({
    queryKey: ["optimisation", "study", id],
    queryFn: ({ signal }) => apiRequest<StudyDetail>(`/optimisation/studies/${id}/`, { signal }),
    refetchInterval: (query) => (unfinished(query.state.data?.status) ? currentStudyPollInterval() : false),
  });
}

/** The study's trials sorted on the server by `ordering`; re-read whenever the study's progress moves. */
export function useStudyTrials(id: number, ordering: string, trialsDone: number | undefined) {
  return useQuery({
    queryKey: ["optimisation", "trials", id, ordering, trialsDone],
    queryFn: ({ signal }) => apiRequest<Page<Trial>>(`/optimisation/studies/${id}/trials/`, { params: { ordering, limit: 500 }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useImportance(id: number, trialsDone: number | undefined) {
  return useQuery({
    queryKey: ["optimisation", "importance", id, trialsDone],
    queryFn: ({ signal }) => apiRequest<{ importance: Record<string, number> }>(`/optimisation/studies/${id}/importance/`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useWalkForward(id: number) {
  return useQuery({
    queryKey: ["optimisation", "walk-forward", id],
    queryFn: ({ signal }) => apiRequest<WalkForwardDetail>(`/optimisation/walk-forwards/${id}/`, { signal }),
    refetchInterval: (query) => (unfinished(query.state.data?.status) ? currentStudyPollInterval() : false),
  });
}

export function useCreateStudy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: StudyCreateBody) => apiRequest<Study>("/optimisation/studies/", { method: "POST", body }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["optimisation", "studies"] }),
  });
}

export function useCreateWalkForward() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: WalkForwardCreateBody) => apiRequest<WalkForward>("/optimisation/walk-forwards/", { method: "POST", body }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["optimisation"] }),
  });
}

export type StudyAction = "pause" | "resume" | "cancel";

export function useStudyAction(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: StudyAction) => apiRequest<Study>(`/optimisation/studies/${id}/${action}/`, { method: "POST" }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["optimisation"] }),
  });
}

/** A paper bot with the study's best parameters, on its symbol and costs, started at once. */
export function useStartPaperBot() {
  return useMutation({
    mutationFn: async (study: Study) => {
      const config = study.config as Record<string, number | boolean | null>;
      const bot = await apiRequest<{ id: number }>("/execution/bots/", {
        method: "POST",
        body: {
          name: `study ${study.id} best`,
          strategy: study.strategy,
          symbol: study.symbol,
          exchange: study.exchange,
          params: { ...(study.params as object), ...(study.best_params as object) },
          mode: "paper",
          fee_rate: config.fee_rate,
          slippage_bps: config.slippage_bps,
          ...(config.stop_loss != null ? { stop_loss: config.stop_loss } : {}),
          ...(config.take_profit != null ? { take_profit: config.take_profit } : {}),
        },
      });
      await apiRequest(`/execution/bots/${bot.id}/start/`, { method: "POST" });
      return bot;
    },
  });
}
