"""The stored form of an equity curve, and its downsampling for charts (pure NumPy, no Django).

Storage: values as little-endian float64, times as little-endian int64 deltas (the first open
time, then the steps), each zlib-compressed. Float64 keeps the engine's values exactly; the
deltas of a regular series are one repeated number, which compresses to a few bytes.
"""

from __future__ import annotations

import zlib

import numpy as np

_VALUES = np.dtype("<f8")
_TIMES = np.dtype("<i8")


def equity_encode(times_ms: np.ndarray, values: np.ndarray) -> tuple[bytes, bytes]:
    """(times blob, values blob) of a curve; times ascending epoch ms."""
    times = np.asarray(times_ms, dtype=_TIMES)
    deltas = np.diff(times, prepend=np.zeros(1, dtype=_TIMES)) if len(times) else times
    return (
        zlib.compress(deltas.astype(_TIMES).tobytes()),
        zlib.compress(np.asarray(values, dtype=_VALUES).tobytes()),
    )


def equity_decode(times_blob: bytes, values_blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(open times int64 epoch ms, equity float64) from the stored blobs."""
    deltas = np.frombuffer(zlib.decompress(bytes(times_blob)), dtype=_TIMES)
    values = np.frombuffer(zlib.decompress(bytes(values_blob)), dtype=_VALUES)
    return np.cumsum(deltas, dtype=np.int64), values.astype(np.float64)


def minmax_downsample(values: np.ndarray, points: int) -> np.ndarray:
    """Indices (ascending) of at most `points` values that keep the curve's shape: the first and
    last values, and the minimum and maximum of each of (points - 2) // 2 equal buckets, so no
    peak or trough (no drawdown) is smoothed away. All indices when there are few enough."""
    n = len(values)
    if n <= points:
        return np.arange(n)
    buckets = max((points - 2) // 2, 1)
    width = -(-n // buckets)  # ceil: every bucket but the last is full
    buckets = -(-n // width)
    padded = np.full(buckets * width, np.nan)
    padded[:n] = values
    rows = padded.reshape(buckets, width)
    # NaN padding only ever fills the tail of the last row, which holds a real value first.
    starts = np.arange(buckets) * width
    lows = starts + np.nanargmin(rows, axis=1)
    highs = starts + np.nanargmax(rows, axis=1)
    return np.unique(np.concatenate([[0, n - 1], lows, highs]))


_PIECE_BYTES = 1 << 16  # decompressed bytes per step of a streamed decode


def _pieces(blob: bytes, dtype: np.dtype):
    """The blob's array in pieces of at most _PIECE_BYTES, decompressed as they are read."""
    inflate = zlib.decompressobj()
    data, carry = memoryview(blob), b""
    while True:
        chunk = inflate.decompress(data, _PIECE_BYTES)
        data = inflate.unconsumed_tail
        if not chunk and not data:
            chunk = inflate.flush()
            if not chunk:
                return
        chunk = carry + chunk
        whole = len(chunk) - len(chunk) % dtype.itemsize
        carry = chunk[whole:]
        if whole:
            yield np.frombuffer(chunk[:whole], dtype=dtype)


def equity_window(
    times_blob: bytes, values_blob: bytes, start_ms: int, end_ms: int
) -> tuple[np.ndarray, np.ndarray]:
    """The part of a stored curve with start_ms <= time <= end_ms, decoded as a stream: memory
    is O(window + one piece), never the whole curve (the replay reads a long run this way)."""
    first = count = offset = 0
    kept_times = []
    running = 0
    for deltas in _pieces(times_blob, _TIMES):
        times = running + np.cumsum(deltas, dtype=np.int64)
        running = int(times[-1])
        inside = (times >= start_ms) & (times <= end_ms)
        if inside.any() and not count:
            first = offset + int(np.argmax(inside))
        count += int(inside.sum())
        kept_times.append(times[inside])
        offset += len(times)
        if times[-1] > end_ms:
            break
    kept_values = []
    offset = 0
    for values in _pieces(values_blob, _VALUES):
        lo, hi = max(first - offset, 0), min(first + count - offset, len(values))
        if lo < hi:
            kept_values.append(values[lo:hi])
        offset += len(values)
        if offset >= first + count:
            break
    empty = np.empty(0)
    return (
        np.concatenate(kept_times) if kept_times else empty.astype(np.int64),
        (np.concatenate(kept_values) if kept_values else empty).astype(np.float64),
    )


def period_returns(
    times_ms: np.ndarray, values: np.ndarray, initial: float, unit: str = "M"
) -> tuple[np.ndarray, np.ndarray]:
    """(periods as strings, return of each period) of a curve, per calendar period of NumPy
    datetime `unit` ("M": months "YYYY-MM", "Y": years "YYYY"), UTC: the equity at the period's
    last point over the equity at the previous period's last point, minus one. The first period
    is measured from `initial` (the run's starting capital, so its warm-up bars count, as in the
    KPIs). Only periods with a point appear. Pure and vectorised (one pass over the bars)."""
    if len(values) == 0:
        return np.empty(0, dtype="<U7"), np.empty(0)
    periods = (
        np.asarray(times_ms, dtype=np.int64).astype("datetime64[ms]").astype(f"datetime64[{unit}]")
    )
    # The last point of each period: where the next point's period differs, and the very last.
    last = np.flatnonzero(np.append(periods[1:] != periods[:-1], True))
    closes = np.asarray(values, dtype=np.float64)[last]
    opens = np.concatenate([[initial], closes[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = closes / opens - 1.0
    return periods[last].astype(str), returns
