"""Aggregation of candles into a longer timeframe (5m -> 1h, 4h, 1d, ...), vectorised.

open = first, high = max, low = min, close = last, volume = sum, buckets aligned as in
`timeframes` (UTC epoch; weeks from Monday; months from the 1st). A bucket is `complete` when it
holds every candle it should; the last bucket of a series may still be forming.
"""

from __future__ import annotations

import numpy as np

from .arrays import CandleArrays
from .timeframes import bucket_floor, bucket_next, timeframe_ms


def resample_candles(
    candles: CandleArrays, *, source: str, target: str
) -> tuple[CandleArrays, np.ndarray]:
    """Candles of timeframe `source` aggregated to `target`, and a per-bucket complete flag.

    Works on the columns as they are (contiguous), so no (N, 6) matrix is built: this is the
    aggregation every multi-timeframe strategy run pays for."""
    if len(candles) == 0:
        return candles.slice(slice(0, 0)), np.empty(0, dtype=bool)
    buckets = bucket_floor(candles.open_time, target)
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
    ends = np.r_[starts[1:], len(candles)] - 1
    open_time = buckets[starts]
    expected = (bucket_next(open_time, target) - open_time) // timeframe_ms(source)
    aggregated = CandleArrays(
        open_time,
        candles.open[starts],
        np.maximum.reduceat(candles.high, starts),
        np.minimum.reduceat(candles.low, starts),
        candles.close[ends],
        np.add.reduceat(candles.volume, starts),
    )
    return aggregated, (ends - starts + 1) == expected


def resample_rows(rows: np.ndarray, *, source: str, target: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows (N, 6) of timeframe `source` aggregated to `target`, and a per-bucket complete flag."""
    rows = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
    if len(rows) == 0:
        return np.empty((0, 6)), np.empty(0, dtype=bool)
    columns = CandleArrays(rows[:, 0].astype(np.int64), *(rows[:, i] for i in range(1, 6)))
    aggregated, complete = resample_candles(columns, source=source, target=target)
    return aggregated.rows(), complete
