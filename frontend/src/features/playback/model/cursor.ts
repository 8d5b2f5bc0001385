// Mapping between times and candle indexes. Candle times are open times, ascending.

/**
 * Number of items of an ascending array that are <= time (binary search): the count of candles
 * opened by `time`, or of markers at or before it.
 */
export function countAtOrBefore(sortedTimes: readonly number[], time: number): number {
  let low = 0;
  let high = sortedTimes.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sortedTimes[mid] as number) <= time) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Index of the candle containing `time`: the last one that opened at or before it. A time before the
 * first candle maps to the first one. -1 when there are no candles.
 */
export function candleIndexAt(times: readonly number[], time: number): number {
  if (times.length === 0) return -1;
  return Math.max(0, countAtOrBefore(times, time) - 1);
}

/**
 * Whether `time` falls inside the loaded candles: from the first open to the end of the last candle.
 * The last candle's length is the spacing of the last two (a single candle only contains its open).
 */
export function timesContain(times: readonly number[], time: number): boolean {
  const first = times[0];
  const last = times[times.length - 1];
  if (first === undefined || last === undefined) return false;
  const before = times[times.length - 2];
  const lastLength = before === undefined ? 1 : last - before;
  return time >= first && time < last + lastLength;
}
