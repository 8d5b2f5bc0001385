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
