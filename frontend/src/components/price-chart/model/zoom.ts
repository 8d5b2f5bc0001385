// The visible range that shows one trade: its bars from entry to exit, with context either side.
import { indexAtOrBefore } from "./columns";

export const MIN_MARGIN_BARS = 20; // context shown beside even a one-bar trade

export interface LogicalRange {
  from: number;
  to: number;
}

/** Logical (bar index) range from entry to exit, widened by half the trade's length each side. */
export function tradeZoomRange(times: readonly number[], entryTime: number, exitTime: number): LogicalRange | null {
  if (times.length === 0) return null;
  const entry = Math.max(0, indexAtOrBefore(times, entryTime));
  const exit = Math.max(entry, indexAtOrBefore(times, exitTime));
  const margin = Math.max(MIN_MARGIN_BARS, Math.round((exit - entry + 1) / 2));
  return { from: entry - margin, to: exit + margin };
}
