"""Moving-average indicators on NumPy arrays (pure functions: no Django, no I/O).

Every indicator takes a 1-D array-like of floats and a period, and returns a new float64 array of
the same length. Inputs are never modified. The first ``*_warmup(period)`` values are NaN (never
zero). An empty input gives an empty output. A period longer than the series gives all NaN. A
period that is not an ``int`` (``bool`` counts as not an int) or is below the minimum raises
``ValueError``.

Missing values. NaN and +/-inf inputs are both treated as *missing*.

* SMA, WMA, HMA: an output is NaN when its window holds a missing value. For HMA the window is
  ``period + isqrt(period) - 1`` bars long. Later windows that no longer hold it are computed
  normally. Leading missing values only delay the first output, as in TA-Lib.
* EMA: missing bars are skipped. Their output is NaN and the recursion runs over the finite
  values only, as if the missing bars had been removed. (This is pandas' ``ewm(ignore_na=True)``
  rule.) The seed is the mean of the first ``period`` finite values. With leading NaNs only,
  this matches ``talib.EMA`` exactly. TA-Lib itself turns every value after an interior NaN
  into NaN.
* ``rising``/``falling`` use plain IEEE comparisons, so a NaN on either side gives False.

Complexity and accuracy. Every function costs O(N) whatever the period, and has no per-bar
Python loop. A plain running sum over the whole series (a global cumsum) loses accuracy as it
grows: after 1e6 bars near 60,000 its rounding error is a visible fraction of a short window's
sum. So the series is cut into overlapping blocks. Each block gets its own cumsum and its own
anchor value, which is subtracted first (see ``_anchored_rows``). The windowed sums then stay
accurate to about 1e-15 relative however long the series is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

__all__ = [
    "ema",
    "ema_warmup",
    "falling",
    "hma",
    "hma_warmup",
    "rising",
    "sma",
    "sma_warmup",
    "wma",
    "wma_warmup",
]

# Output block length for the windowed sums is max(_MIN_BLOCK, _BLOCK_PER_PERIOD * period).
# A block carries `period` extra leading values, so a longer block wastes less work. A shorter
# block keeps the position-weighted cumsum of WMA small compared with the weighted sum it yields.
_MIN_BLOCK = 64
_BLOCK_PER_PERIOD = 4

# EMA block length. With period >= 2 the decay is >= 1/3, so decay**-255 <= 3**255 ~ 1e122:
# no overflow, and decay**255 does not underflow either.
_EMA_BLOCK = 256

# Rows are processed in groups of about this many values, so the cumsums and the arithmetic
# on them stay in L2 cache. Allocating and streaming whole-series temporaries of 1 MB or more
# is several times slower, because every call page-faults fresh memory.
_CHUNK = 16384


# ---------------------------------------------------------------------------------------------
# Validation and warm-up helpers
# ---------------------------------------------------------------------------------------------


def _check_period(period: object, minimum: int = 1) -> int:
    """Return `period` as an int, or raise ValueError if it is not an int >= `minimum`."""
    if isinstance(period, bool) or not isinstance(period, int | np.integer):
        raise ValueError(f"period must be an int, got {period!r} ({type(period).__name__})")
    if period < minimum:
        raise ValueError(f"period must be >= {minimum}, got {period}")
    return int(period)


def _as_series(values: ArrayLike) -> np.ndarray:
    """Return `values` as a 1-D float64 array (may be the input itself: never write to it)."""
    series = np.asarray(values, dtype=np.float64)
    if series.ndim != 1:
        raise ValueError(f"values must be 1-D, got shape {series.shape}")
    return series


def sma_warmup(period: int) -> int:
    """Leading NaNs of sma(x, period): period - 1."""
    return _check_period(period) - 1


def wma_warmup(period: int) -> int:
    """Leading NaNs of wma(x, period): period - 1."""
    return _check_period(period) - 1


def ema_warmup(period: int) -> int:
    """Leading NaNs of ema(x, period): period - 1."""
    return _check_period(period) - 1


def hma_warmup(period: int) -> int:
    """Leading NaNs of hma(x, period): period + isqrt(period) - 2."""
    period = _check_period(period, minimum=2)
    return period + math.isqrt(period) - 2


# ---------------------------------------------------------------------------------------------
# Missing values
# ---------------------------------------------------------------------------------------------


def _fill_missing(series: np.ndarray) -> tuple[np.ndarray, int, np.ndarray | None]:
    """Split off the missing values.

    Returns ``(filled, n_leading, missing)``. ``filled`` has every missing value replaced by a
    nearby finite one. ``n_leading`` counts the leading missing values. ``missing`` is the
    missing mask when some missing value comes after the first finite one, else None.

    Missing values are filled with the last finite value, not with 0. That keeps them close to
    their block's anchor, so they do not spoil the accuracy of nearby windows. Their own
    windows are masked to NaN later anyway.
    """
    finite = np.isfinite(series)
    if finite.all():
        return series, 0, None
    if not finite.any():
        return np.zeros_like(series), series.size, None
    n_leading = int(np.argmax(finite))
    if finite[n_leading:].all():  # common case: only a warm-up of NaNs, e.g. HMA's inner series
        filled = series.copy()
        filled[:n_leading] = series[n_leading]
        return filled, n_leading, None
    last_finite = np.where(finite, np.arange(series.size), n_leading)
    np.maximum.accumulate(last_finite, out=last_finite)
    return series[last_finite], n_leading, ~finite


def _mask_windows(out: np.ndarray, period: int, n_leading: int, missing: np.ndarray | None) -> None:
    """Set `out` to NaN in the warm-up and wherever the window [t-period+1, t] has a missing value."""
    out[: n_leading + period - 1] = np.nan
    if missing is not None:
        # Integer cumsum: exact, so the count of missing values per window never drifts.
        count = np.concatenate(([0], np.cumsum(missing, dtype=np.int64)))
        out[period - 1 :][count[period:] - count[:-period] > 0] = np.nan


# ---------------------------------------------------------------------------------------------
# SMA / WMA / HMA: windowed sums from blocked, anchored cumsums
# ---------------------------------------------------------------------------------------------


def _overlapping_rows(filled: np.ndarray, span: int, block: int) -> np.ndarray:
    """View the series as rows of ``block + span`` values that overlap by ``span``.

    Row ``k`` is ``padded[k*block : k*block + block + span]``, where ``padded`` is the series
    with ``span`` copies of its first value in front (and its last value repeated at the end).
    Output ``t = k*block + j`` (0 <= j < block) therefore has its whole window in row ``k``, and
    its newest value sits at local index ``j + span``.
    """
    n_obs = filled.size
    n_rows = -(-n_obs // block)
    padded = np.empty(span + n_rows * block)
    padded[:span] = filled[0]
    padded[span : span + n_obs] = filled
    padded[span + n_obs :] = filled[-1]
    return sliding_window_view(padded, block + span)[::block]


def _row_means(rows: np.ndarray, periods: Sequence[int], weighted: bool, out: np.ndarray) -> None:
    """Write into ``out[i]`` the (weighted) moving means of ``periods[i]`` for these rows.

    Why this is accurate: each row gets its own short cumsum, so rounding never builds up
    across the series. The row's middle value is subtracted first (the anchor), so the cumsums
    add deviations from it (often exact, by Sterbenz's lemma) instead of whole prices. The
    rounding error then follows the local price range, not the price level or series length.
    """
    width, block = rows.shape[1], out.shape[-1]
    span, centre = width - block, width // 2
    anchors = rows[:, centre : centre + 1]
    val_cum = np.subtract(rows, anchors)
    if weighted:
        # Positions are counted from the row centre, which keeps this cumsum about 4x smaller.
        pos_cum = np.multiply(val_cum, np.arange(width, dtype=np.float64) - centre)
        np.cumsum(pos_cum, axis=1, out=pos_cum)
        scratch = np.empty((rows.shape[0], block))
    np.cumsum(val_cum, axis=1, out=val_cum)

    newest = slice(span, width)  # local index of each window's newest value
    for period, dest in zip(periods, out, strict=True):
        if period == 1:
            dest[...] = rows[:, newest]  # exact copy, no rounding
            continue
        before = slice(span - period, width - period)  # local index just before the window
        np.subtract(val_cum[:, newest], val_cum[:, before], out=dest)  # sum of deviations
        if weighted:
            # Local index p has weight p - b, where b is the index just before the window:
            # sum((p - b) * y) = sum((p - centre) * y) - (b - centre) * sum(y).
            np.subtract(pos_cum[:, newest], pos_cum[:, before], out=scratch)
            dest *= np.arange(span - period, width - period, dtype=np.float64) - centre
            np.subtract(scratch, dest, out=dest)
            dest /= period * (period + 1) / 2
        else:
            dest /= period
        dest += anchors


def _rolling_means(series: np.ndarray, periods: Sequence[int], weighted: bool) -> list[np.ndarray]:
    """(Weighted) moving means of `series` for several periods, sharing one blocked pass."""
    n_obs = series.size
    if n_obs == 0:
        return [np.empty(0) for _ in periods]
    filled, n_leading, missing = _fill_missing(series)
    span = max(periods)
    block = max(_MIN_BLOCK, _BLOCK_PER_PERIOD * span)
    rows = _overlapping_rows(filled, span, block)
    means = np.empty((len(periods), rows.shape[0], block))
    step = max(1, _CHUNK // rows.shape[1])
    for first in range(0, rows.shape[0], step):  # one iteration per cache-sized group of rows
        group = slice(first, first + step)
        _row_means(rows[group], periods, weighted, means[:, group])

    results = []
    for period, mean in zip(periods, means, strict=True):
        out = mean.reshape(-1)[:n_obs]
        _mask_windows(out, period, n_leading, missing)
        results.append(out)
    return results


def sma(values: ArrayLike, period: int) -> np.ndarray:
    """SMA(n)[t] = (x[t-n+1] + ... + x[t]) / n; NaN for t < n-1 and for windows with a NaN."""
    period = _check_period(period)
    return _rolling_means(_as_series(values), (period,), weighted=False)[0]


def wma(values: ArrayLike, period: int) -> np.ndarray:
    """WMA(n)[t] = sum_{i=0}^{n-1} (n-i) * x[t-i] / (n(n+1)/2); NaN rules as for sma."""
    period = _check_period(period)
    return _rolling_means(_as_series(values), (period,), weighted=True)[0]


def hma(values: ArrayLike, period: int) -> np.ndarray:
    """HMA(n) = WMA(isqrt(n)) of (2 * WMA(n // 2) - WMA(n)); n >= 2, first value at n+isqrt(n)-2."""
    period = _check_period(period, minimum=2)
    series = _as_series(values)
    slow, fast = _rolling_means(series, (period, period // 2), weighted=True)
    inner = 2.0 * fast - slow  # NaN wherever WMA(n) is, so the NaN windows chain through
    return _rolling_means(inner, (math.isqrt(period),), weighted=True)[0]


# ---------------------------------------------------------------------------------------------
# EMA: blocked closed form of the recursion
# ---------------------------------------------------------------------------------------------


def _ema_rows(rows: np.ndarray, alpha: float, state: float) -> None:
    """Run e[t] = (1-alpha) * e[t-1] + alpha * u[t] in place over ``rows.reshape(-1)``.

    ``state`` is e[-1]. Within a row of length B the recursion has the closed form
    ``e[j] = d**(j+1) * s + alpha * d**j * cumsum(d**-i * u[i])[j]`` with ``d = 1 - alpha`` and
    ``s`` the state entering the row. So the only loop is one scalar step per row, not per bar.
    """
    block = rows.shape[1]
    decay = 1.0 - alpha
    power = np.arange(block, dtype=np.float64)
    grow, shrink = decay**-power, decay**power  # both finite for d >= 1/3 (see _EMA_BLOCK)
    carry_in = decay * shrink  # d**(j+1): weight of the entering state at position j
    carry_row = decay**block
    step = max(1, _CHUNK // block)
    for first in range(0, rows.shape[0], step):  # one iteration per cache-sized group of rows
        group = rows[first : first + step]
        group *= grow
        np.cumsum(group, axis=1, out=group)
        group *= alpha * shrink  # zero-state response of each row
        starts = []
        for end in group[:, -1].tolist():  # one scalar step per row
            starts.append(state)
            state = end + carry_row * state
        group += np.multiply.outer(starts, carry_in)


def _ema_finite(kept: np.ndarray, period: int) -> np.ndarray:
    """EMA over a series of finite values: NaN warm-up, SMA seed, then the recursion."""
    if period == 1:  # alpha = 1: the EMA is the series itself
        return kept.copy()
    if kept.size < period:
        return np.full(kept.size, np.nan)
    tail = kept.size - period
    n_rows = -(-tail // _EMA_BLOCK)
    buffer = np.empty(period + n_rows * _EMA_BLOCK)  # warm-up + seed, then whole rows
    buffer[: period - 1] = np.nan
    seed = float(np.sum(kept[:period])) / period
    buffer[period - 1] = seed
    buffer[period : period + tail] = kept[period:]
    buffer[period + tail :] = 0.0  # padding of the last row, cut off below
    _ema_rows(buffer[period:].reshape(n_rows, _EMA_BLOCK), 2.0 / (period + 1), seed)
    return buffer[: kept.size]


def ema(values: ArrayLike, period: int) -> np.ndarray:
    """EMA(n)[t] = EMA[t-1] + 2/(n+1) * (x[t] - EMA[t-1]), seeded with SMA(n) at t = n-1."""
    period = _check_period(period)
    series = _as_series(values)
    finite = np.isfinite(series)
    if finite.all():
        return _ema_finite(series, period)
    out = np.full(series.size, np.nan)
    out[finite] = _ema_finite(series[finite], period)  # missing bars are skipped (module doc)
    return out


# ---------------------------------------------------------------------------------------------
# Direction
# ---------------------------------------------------------------------------------------------


def rising(values: ArrayLike) -> np.ndarray:
    """rising(x)[t] = x[t] > x[t-1]; False at t = 0 and wherever either value is NaN."""
    series = _as_series(values)
    out = np.zeros(series.size, dtype=bool)
    np.greater(series[1:], series[:-1], out=out[1:])
    return out


def falling(values: ArrayLike) -> np.ndarray:
    """falling(x)[t] = x[t] < x[t-1]; False at t = 0 and wherever either value is NaN."""
    series = _as_series(values)
    out = np.zeros(series.size, dtype=bool)
    np.less(series[1:], series[:-1], out=out[1:])
    return out
