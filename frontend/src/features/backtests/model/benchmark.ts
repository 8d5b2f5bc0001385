// The buy-and-hold line of the equity chart: one value per candle from the API, thinned to about
// as many points as the equity curve has (the chart need not hold 100,000 points for a line).
export interface TimedValue {
  time: number;
  value: number;
}

/** Every k-th defined value (k = ceil(n / maxPoints)) plus the last one. */
export function benchmarkPoints(times: readonly number[], values: readonly (number | null)[], maxPoints: number): TimedValue[] {
  const step = Math.max(1, Math.ceil(times.length / Math.max(1, maxPoints)));
  const out: TimedValue[] = [];
  const push = (i: number) => {
    const value = values[i];
    if (typeof value === "number" && Number.isFinite(value)) out.push({ time: times[i]!, value });
  };
  for (let i = 0; i < times.length; i += step) push(i);
  if (times.length && (times.length - 1) % step !== 0) push(times.length - 1);
  return out;
}
