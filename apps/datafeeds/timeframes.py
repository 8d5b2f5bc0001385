"""Candle timeframes: names, durations and bucket arithmetic on epoch-millisecond arrays.

Minutes, hours and days are fixed lengths aligned to the Unix epoch (UTC). A week starts on
Monday 00:00 UTC (as Binance's `1w`), a month on the 1st at 00:00 UTC (`1M`). Case matters:
`1m` is a minute, `1M` a month.
"""

from __future__ import annotations

import numpy as np

MINUTE_MS = 60_000
TIMEFRAMES: tuple[str, ...] = ("1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w", "1M")
_FIXED_MS = {
    "1m": MINUTE_MS,
    "5m": 5 * MINUTE_MS,
    "15m": 15 * MINUTE_MS,
    "30m": 30 * MINUTE_MS,
    "1h": 60 * MINUTE_MS,
    "4h": 240 * MINUTE_MS,
    "1d": 1440 * MINUTE_MS,
    "1w": 7 * 1440 * MINUTE_MS,
}
# The epoch (1970-01-01) is a Thursday; weeks start 4 days later, on Monday 1970-01-05.
_WEEK_OFFSET_MS = 4 * 1440 * MINUTE_MS


class InvalidTimeframe(ValueError):
    """Not one of TIMEFRAMES."""


def timeframe_validate(timeframe: str) -> str:
    if timeframe not in TIMEFRAMES:
        hint = " ('d' alone is not a timeframe: use 1d)" if timeframe.lower() == "d" else ""
        raise InvalidTimeframe(
            f"Invalid timeframe '{timeframe}'{hint}; expected one of {', '.join(TIMEFRAMES)}."
        )
    return timeframe


def timeframe_ms(timeframe: str) -> int:
    """Nominal duration in ms (a month counts as 30 days; use bucket_next for exact months)."""
    timeframe_validate(timeframe)
    return _FIXED_MS.get(timeframe, 30 * 1440 * MINUTE_MS)


def bucket_floor(times_ms: np.ndarray | int, timeframe: str) -> np.ndarray:
    """Open time of the candle of `timeframe` that contains each time."""
    times = np.asarray(times_ms, dtype=np.int64)
    timeframe_validate(timeframe)
    if timeframe == "1M":
        months = times.astype("datetime64[ms]").astype("datetime64[M]")
        return months.astype("datetime64[ms]").astype(np.int64)
    step = _FIXED_MS[timeframe]
    offset = _WEEK_OFFSET_MS if timeframe == "1w" else 0
    return (times - offset) // step * step + offset


def bucket_next(open_times_ms: np.ndarray | int, timeframe: str) -> np.ndarray:
    """Open time of the following candle (= close time of this one), exact for months."""
    times = np.asarray(open_times_ms, dtype=np.int64)
    if timeframe == "1M":
        months = times.astype("datetime64[ms]").astype("datetime64[M]") + 1
        return months.astype("datetime64[ms]").astype(np.int64)
    return times + timeframe_ms(timeframe)


def is_aligned(times_ms: np.ndarray, timeframe: str) -> np.ndarray:
    """True where a time is the open time of a candle of `timeframe`."""
    times = np.asarray(times_ms, dtype=np.int64)
    return bucket_floor(times, timeframe) == times


def missing_intervals(open_times_ms: np.ndarray, timeframe: str) -> list[tuple[int, int, int]]:
    """Gaps in an ascending series: (first missing open time, last missing open time, count)."""
    times = np.asarray(open_times_ms, dtype=np.int64)
    if times.size < 2:
        return []
    expected = bucket_next(times[:-1], timeframe)
    gap_at = np.flatnonzero(times[1:] > expected)
    gaps = []
    for i in gap_at:  # a loop over gaps, not over candles
        first, after = int(expected[i]), int(times[i + 1])
        if timeframe == "1M":
            count = int(
                (
                    np.datetime64(after, "ms").astype("datetime64[M]")
                    - np.datetime64(first, "ms").astype("datetime64[M]")
                ).astype(int)
            )
            last = int(bucket_floor(after - 1, timeframe))
        else:
            step = _FIXED_MS[timeframe]
            count = (after - first) // step
            last = after - step
        gaps.append((first, last, count))
    return gaps
