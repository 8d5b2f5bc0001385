"""Aggregation of candles into a longer timeframe (5m -> 1h, 4h, 1d, ...), vectorised.

open = first, high = max, low = min, close = last, volume = sum, buckets aligned as in
`timeframes` (UTC epoch; weeks from Monday; months from the 1st). A bucket is `complete` when it
holds every candle it should; the last bucket of a series may still be forming.
"""

from __future__ import annotations

import numpy as np

from .timeframes import bucket_floor, bucket_next, timeframe_ms


def resample_rows(rows: np.ndarray, *, source: str, target: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows (N, 6) of timeframe `source` aggregated to `target`, and a per-bucket complete flag."""
    rows = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
    if len(rows) == 0:
        return np.empty((0, 6)), np.empty(0, dtype=bool)
    times = rows[:, 0].astype(np.int64)
    buckets = bucket_floor(times, target)
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
    ends = np.r_[starts[1:], len(rows)] - 1
    out = np.empty((len(starts), 6))
    out[:, 0] = buckets[starts]
    out[:, 1] = rows[starts, 1]
    out[:, 2] = np.maximum.reduceat(rows[:, 2], starts)
    out[:, 3] = np.minimum.reduceat(rows[:, 3], starts)
    out[:, 4] = rows[ends, 4]
    out[:, 5] = np.add.reduceat(rows[:, 5], starts)
    expected = (bucket_next(out[:, 0].astype(np.int64), target) - out[:, 0]) // timeframe_ms(source)
    complete = (ends - starts + 1) == expected
    return out, complete
