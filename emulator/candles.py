"""Candle arrays for the emulator: Binance intervals, bucket arithmetic, aggregation, files, fakes.

A candle array is float64 of shape (N, 6): [open_time_ms, open, high, low, close, volume], in
strictly ascending open time. Minute, hour and day intervals are aligned to the Unix epoch (UTC),
`1w` starts on Monday 00:00 UTC and `1M` on the 1st of the month, as on Binance.

This deliberately does not reuse `apps.datafeeds.timeframes` or `resample`: the emulator is the
exchange the ingestion code is tested against, so a bug there must not be mirrored here.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

MINUTE_MS = 60_000
DAY_MS = 1440 * MINUTE_MS
_FIXED_MS: dict[str, int] = {
    "1m": MINUTE_MS,
    "3m": 3 * MINUTE_MS,
    "5m": 5 * MINUTE_MS,
    "15m": 15 * MINUTE_MS,
    "30m": 30 * MINUTE_MS,
    "1h": 60 * MINUTE_MS,
    "2h": 120 * MINUTE_MS,
    "4h": 240 * MINUTE_MS,
    "6h": 360 * MINUTE_MS,
    "8h": 480 * MINUTE_MS,
    "12h": 720 * MINUTE_MS,
    "1d": DAY_MS,
    "3d": 3 * DAY_MS,
    "1w": 7 * DAY_MS,
}
# Binance's kline intervals (without 1s), finest first.
INTERVALS: tuple[str, ...] = (*_FIXED_MS, "1M")
# The epoch (1970-01-01) is a Thursday; weeks start 4 days later, on Monday 1970-01-05.
_WEEK_OFFSET_MS = 4 * DAY_MS
CSV_HEADER = "timestamp,open,high,low,close,volume"
MAX_PRICE_DECIMALS = 8


def interval_validate(interval: str) -> str:
    if interval not in INTERVALS:
        raise ValueError(f"Invalid interval '{interval}'; expected one of {', '.join(INTERVALS)}.")
    return interval


def interval_ms(interval: str) -> int:
    """Nominal length in ms (a month counts as 31 days: an upper bound, for sizing only)."""
    interval_validate(interval)
    return _FIXED_MS.get(interval, 31 * DAY_MS)


def _offset_ms(interval: str) -> int:
    return _WEEK_OFFSET_MS if interval == "1w" else 0


def bucket_floor(times_ms: np.ndarray | int, interval: str) -> np.ndarray:
    """Open time of the candle of `interval` that contains each time."""
    times = np.asarray(times_ms, dtype=np.int64)
    interval_validate(interval)
    if interval == "1M":
        months = times.astype("datetime64[ms]").astype("datetime64[M]")
        return months.astype("datetime64[ms]").astype(np.int64)
    step, offset = _FIXED_MS[interval], _offset_ms(interval)
    return (times - offset) // step * step + offset


def bucket_next(open_times_ms: np.ndarray | int, interval: str, steps: int = 1) -> np.ndarray:
    """Open time `steps` candles later (steps=1: the close time + 1 ms), exact for months."""
    times = np.asarray(open_times_ms, dtype=np.int64)
    if interval == "1M":
        months = times.astype("datetime64[ms]").astype("datetime64[M]") + steps
        return months.astype("datetime64[ms]").astype(np.int64)
    return times + steps * interval_ms(interval)


def candles_validate(candles: np.ndarray, interval: str) -> np.ndarray:
    """The array as contiguous float64 (N, 6), or ValueError if it is not a candle series."""
    array = np.ascontiguousarray(candles, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 6:
        raise ValueError(f"Candles must have shape (N, 6), got {array.shape}.")
    times = array[:, 0]
    if not np.isfinite(times).all() or (times != np.round(times)).any():
        raise ValueError("Candle open times must be whole milliseconds.")
    if (np.diff(times) <= 0).any():
        raise ValueError("Candle open times must be strictly ascending.")
    misaligned = np.flatnonzero(bucket_floor(times.astype(np.int64), interval) != times)
    if misaligned.size:
        raise ValueError(f"Open time {int(times[misaligned[0]])} is not aligned to '{interval}'.")
    return array


def _nests(fine: str, coarse: str) -> bool:
    """True when every `coarse` candle is made of whole `fine` candles."""
    if fine == coarse or fine == "1M":
        return False
    fine_ms = _FIXED_MS[fine]
    if coarse == "1M":
        return fine != "1w" and DAY_MS % fine_ms == 0
    coarse_ms = _FIXED_MS[coarse]
    return coarse_ms % fine_ms == 0 and (_offset_ms(coarse) - _offset_ms(fine)) % fine_ms == 0


def aggregation_source(target: str, available: list[str] | tuple[str, ...]) -> str | None:
    """The coarsest of `available` that `target` can be aggregated from (fewest rows to scan)."""
    candidates = [interval for interval in available if _nests(interval, target)]
    return max(candidates, key=interval_ms, default=None)


def aggregate_candles(
    candles: np.ndarray, source: str, target: str, volume_decimals: int | None = None
) -> np.ndarray:
    """OHLCV of `target` buckets from `source` candles (open first, high max, low min, close last,
    volume sum, rounded to `volume_decimals` if given: the sum of exact 6-decimal volumes is an
    exact 6-decimal volume, as the exchange reports it, without float noise).

    Partial buckets at either end are dropped: the data does not say what happened in their
    missing part, and a real exchange never serves a partial candle as closed.
    """
    if len(candles) == 0:
        return np.empty((0, 6), dtype=np.float64)
    times = candles[:, 0].astype(np.int64)
    buckets = bucket_floor(times, target)
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
    ends = np.r_[starts[1:], len(candles)] - 1
    result = np.column_stack(
        [
            buckets[starts].astype(np.float64),
            candles[starts, 1],
            np.maximum.reduceat(candles[:, 2], starts),
            np.minimum.reduceat(candles[:, 3], starts),
            candles[ends, 4],
            np.add.reduceat(candles[:, 5], starts),
        ]
    )
    if volume_decimals is not None:
        result[:, 5] = np.round(result[:, 5], volume_decimals)
    first_complete = times[0] == buckets[0]
    last_complete = bucket_next(times[-1], source) == bucket_next(buckets[-1], target)
    return result[(0 if first_complete else 1) : len(result) - (0 if last_complete else 1)]


def load_candles_csv(path: str | Path) -> np.ndarray:
    """Read a `timestamp,open,high,low,close,volume` CSV (gzip if the name ends in .gz)."""
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        header = handle.readline().strip()
        if header != CSV_HEADER:
            raise ValueError(f"{path}: expected header '{CSV_HEADER}', got '{header[:80]}'.")
        # ndmin=2 keeps a one-row file (N, 6); numpy's parser round-trips shortest decimals exactly.
        return np.loadtxt(handle, delimiter=",", dtype=np.float64, ndmin=2).reshape(-1, 6)


def open_times(start_ms: int, count: int, interval: str) -> np.ndarray:
    """`count` consecutive open times from the bucket that contains `start_ms`."""
    first = bucket_floor(start_ms, interval)
    if interval == "1M":
        months = first.astype("datetime64[ms]").astype("datetime64[M]") + np.arange(count)
        return months.astype("datetime64[ms]").astype(np.int64)
    return first + np.arange(count, dtype=np.int64) * interval_ms(interval)


def exact_decimals(values: np.ndarray) -> int | None:
    """The fewest decimals (up to 8) that write every value exactly (2 for 42283.58), else None."""
    array = np.asarray(values, dtype=np.float64)
    array = array[np.isfinite(array)]
    for decimals in range(MAX_PRICE_DECIMALS + 1):
        if (np.round(array, decimals) == array).all():
            return decimals
    return None


def generate_candles(
    *, timeframe: str, count: int, start_ms: int, seed: int = 0, start_price: float = 100.0
) -> np.ndarray:
    """A deterministic geometric random walk of `count` valid candles from the bucket of `start_ms`.

    Each open is the previous close; volatility and volume scale with the interval length. Prices
    are rounded to about 7 significant digits of `start_price`, volumes to 4 decimals.
    """
    if count < 0:
        raise ValueError("count must be >= 0.")
    if start_price <= 0:
        raise ValueError("start_price must be > 0.")
    rng = np.random.default_rng(seed)
    minutes = interval_ms(timeframe) / MINUTE_MS
    sigma = 0.0007 * np.sqrt(minutes)  # about 0.16 % per 5 minutes, like BTC
    closes = start_price * np.exp(np.cumsum(rng.normal(0.0, sigma, count)))
    opens = np.r_[start_price, closes[:-1]][:count]
    highs = np.maximum(opens, closes) * np.exp(np.abs(rng.normal(0.0, sigma / 2, count)))
    lows = np.minimum(opens, closes) * np.exp(-np.abs(rng.normal(0.0, sigma / 2, count)))
    volumes = rng.lognormal(np.log(10.0 * minutes), 0.5, count)
    # Rounding is monotonic, so high >= max(open, close) >= min(open, close) >= low still holds.
    decimals = int(np.clip(6 - np.floor(np.log10(start_price)), 0, MAX_PRICE_DECIMALS))
    prices = np.round(np.column_stack([opens, highs, lows, closes]), decimals)
    return np.column_stack(
        [open_times(start_ms, count, timeframe).astype(np.float64), prices, np.round(volumes, 4)]
    )
