import type { EquityPoint } from "../api/types";

/** Drawdown at each point: value / running peak - 1 (0 at a new high, negative below it). */
export function drawdownSeries(equity: EquityPoint[]): EquityPoint[] {
  let peak = -Infinity;
  return equity.map(({ time, value }) => {
    peak = Math.max(peak, value);
    return { time, value: peak > 0 ? value / peak - 1 : 0 };
  });
}

export function maxDrawdown(equity: EquityPoint[]): number {
  return drawdownSeries(equity).reduce((worst, point) => Math.min(worst, point.value), 0);
}
