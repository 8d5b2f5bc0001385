// How to bring the chart from what it shows to what the cursor asks for, with the least work:
// append bars one by one with series.update during playback, replace everything (setData) only
// when the data changed, the cursor went back, or it jumped too far ahead for appends to be cheap.

// A forward jump longer than this many candles (a scrub, a seek) replaces the data: one setData
// costs about as much as a few dozen updates.
export const MAX_APPEND_CANDLES = 64;

export interface RenderedState {
  dataId: object;
  cursor: number;
}

export type ChartSyncPlan =
  | { kind: "none" }
  | { kind: "reset"; reason: "load" | "seek" }
  /** Append the candles of indexes from..to (inclusive). */
  | { kind: "append"; from: number; to: number };

export function planChartSync(rendered: RenderedState | null, dataId: object, cursor: number): ChartSyncPlan {
  if (rendered === null || rendered.dataId !== dataId) return { kind: "reset", reason: "load" };
  if (cursor === rendered.cursor) return { kind: "none" };
  if (cursor < rendered.cursor || cursor - rendered.cursor > MAX_APPEND_CANDLES) return { kind: "reset", reason: "seek" };
  return { kind: "append", from: rendered.cursor + 1, to: cursor };
}
