"""Candle validation on arrays: every row checked at once, bad rows rejected with a reason.

Rows are float64 arrays of shape (N, 6): open time (epoch ms), open, high, low, close, volume.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .timeframes import bucket_next, is_aligned

COLUMNS = ("open_time", "open", "high", "low", "close", "volume")


@dataclass(frozen=True)
class Rejection:
    open_time: int | None
    reason: str
    row: tuple[float, ...]

    def describe(self) -> str:
        when = "?" if self.open_time is None else str(self.open_time)
        return f"open_time={when}: {self.reason} {dict(zip(COLUMNS, self.row, strict=True))}"


@dataclass
class ValidatedCandles:
    rows: np.ndarray  # the valid, closed rows, ascending by open time
    rejected: list[Rejection] = field(default_factory=list)
    open_dropped: int = 0  # still-open candles left out (not an error)


def rows_from_ohlcv(ohlcv: list[list]) -> np.ndarray:
    """ccxt's [[ms, o, h, l, c, v], ...] as a float64 (N, 6) array; None becomes NaN."""
    if not ohlcv:
        return np.empty((0, 6), dtype=np.float64)
    return np.array([row[:6] for row in ohlcv], dtype=np.float64)


def _failure_reasons(rows: np.ndarray, timeframe: str) -> np.ndarray:
    """The first failed check of each row, '' where the row is valid."""
    times, opens, highs, lows, closes, volumes = rows.T
    reasons = np.full(len(rows), "", dtype=object)
    finite = np.isfinite(rows).all(axis=1)
    safe_times = np.where(np.isfinite(times), times, 0).astype(np.int64)
    checks = [
        # (failing mask, reason) in order of precedence; later checks need finite values.
        (~finite, "missing or non-numeric value"),
        (finite & (safe_times != times), "open time is not a whole millisecond"),
        (finite & ~is_aligned(safe_times, timeframe), f"open time not aligned to {timeframe}"),
        (
            finite & ((opens <= 0) | (highs <= 0) | (lows <= 0) | (closes <= 0)),
            "non-positive price",
        ),
        (finite & (highs < np.maximum(opens, closes)), "high below open or close"),
        (finite & (lows > np.minimum(opens, closes)), "low above open or close"),
        (finite & (volumes < 0), "negative volume"),
    ]
    for mask, reason in reversed(checks):  # reversed so the first failing check wins
        reasons[mask] = reason
    return reasons


def candles_validate(rows: np.ndarray, *, timeframe: str, now_ms: int) -> ValidatedCandles:
    """Keep the valid closed candles; reject bad and duplicate rows; drop still-open ones."""
    rows = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
    reasons = _failure_reasons(rows, timeframe)

    # A second row with an open time already seen is a duplicate, whatever its values.
    order = np.argsort(rows[:, 0], kind="stable")
    sorted_times = rows[order, 0]
    repeated = np.zeros(len(rows), dtype=bool)
    repeated[order[1:]] = sorted_times[1:] == sorted_times[:-1]
    reasons[repeated & (reasons == "")] = "duplicate open time"

    bad = reasons != ""
    rejected = [
        Rejection(
            open_time=int(rows[i, 0]) if np.isfinite(rows[i, 0]) else None,
            reason=str(reasons[i]),
            row=tuple(float(v) for v in rows[i]),
        )
        for i in np.flatnonzero(bad)  # a loop over rejected rows only
    ]
    good = rows[~bad]
    good = good[np.argsort(good[:, 0], kind="stable")]
    closed = bucket_next(good[:, 0].astype(np.int64), timeframe) <= now_ms
    return ValidatedCandles(rows=good[closed], rejected=rejected, open_dropped=int((~closed).sum()))
