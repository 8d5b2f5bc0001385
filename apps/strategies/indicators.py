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
  values only, as if the missing bars had been removed (the skipping rule of pandas'
  ``ewm(ignore_na=True)``). The seed is the mean of the first ``period`` finite values. With
  leading NaNs only, this agrees with ``talib.EMA`` to rounding. (TA-Lib itself turns every
  value after an interior NaN into NaN.)
* ``rising``/``falling`` use plain IEEE comparisons, so a NaN on either side gives False.

Complexity and accuracy. Every function costs O(N) whatever the period, and has no per-bar
Python loop. Windowed sums come from cumulative sums. A plain cumsum over the whole series
keeps growing, and so does its rounding error: after 1e6 bars near 60,000 a 14-bar SMA taken
from it is off by several 1e-11 relative. So the series is cut into overlapping rows. Each row
gets its own short cumsum, and its middle value is subtracted first (see ``_row_cumsums``). On
1e6 bars the SMA and WMA then stay within about 1e-15 of an exactly summed reference for
periods up to 200 (about 1e-13 at period 5000). The EMA recursion is evaluated blockwise in
closed form (see ``_ema_rows``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided
from numpy.typing import ArrayLike

from .memo import memoised

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

# Each row of the windowed sums yields max(_MIN_BLOCK, _BLOCK_PER_PERIOD * period) outputs (at
# most the series length). It also carries `period` leading values, so a longer block wastes
# less work. A shorter block keeps the row cumsums (and WMA's cumsum of cumsums) small, next to
# the window sums taken from them, so less precision is lost when they are subtracted.
_MIN_BLOCK = 64
_BLOCK_PER_PERIOD = 4

# EMA block length. With period >= 2 the decay is >= 1/3, so decay**-255 <= 3**255 ~ 1e122:
# no overflow, and decay**255 does not underflow either.
_EMA_BLOCK = 256

# Rows are processed in groups of about this many values, so the temporaries stay in L2 cache
# and are reused by the allocator. Whole-series temporaries (about 1 MB each at 1e5 bars) were
# measured 2-3x slower here: every call page-faulted fresh memory.
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


def _fill_missing(
    series: np.ndarray, overwrite: bool = False
) -> tuple[np.ndarray, int, np.ndarray | None]:
    """Split off the missing values (``overwrite=True`` lets it fill `series` in place).

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
        filled = series if overwrite else series.copy()
        filled[:n_leading] = series[n_leading]
        return filled, n_leading, None
    last_finite = np.where(finite, np.arange(series.size), n_leading)
    np.maximum.accumulate(last_finite, out=last_finite)
    return series[last_finite], n_leading, ~finite


def _mask_windows(out: np.ndarray, period: int, n_leading: int, missing: np.ndarray | None) -> None:
    """Set `out` to NaN in the warm-up and where the window [t-period+1, t] has a missing value."""
    out[: n_leading + period - 1] = np.nan
    if missing is not None:
        # Integer cumsum: exact, so the count of missing values per window never drifts.
        count = np.concatenate(([0], np.cumsum(missing, dtype=np.int64)))
        out[period - 1 :][count[period:] - count[:-period] > 0] = np.nan


# ---------------------------------------------------------------------------------------------
# SMA / WMA / HMA: windowed sums from blocked, anchored cumsums
# ---------------------------------------------------------------------------------------------


def _segment(filled: np.ndarray, start: int, stop: int) -> np.ndarray:
    """``filled[start:stop]``, repeating the first/last value where the range leaves the series."""
    n_obs = filled.size
    if start >= 0 and stop <= n_obs:
        return filled[start:stop]  # a view: no copy for all but the first and last groups
    head = np.full(max(-start, 0), filled[0])
    tail = np.full(max(stop - n_obs, 0), filled[-1])
    return np.concatenate((head, filled[max(start, 0) : min(stop, n_obs)], tail))


def _overlapping_rows(segment: np.ndarray, width: int, block: int) -> np.ndarray:
    """Read-only view of the overlapping rows ``segment[k*block : k*block + width]``."""
    n_rows = (segment.size - width) // block + 1
    stride = segment.strides[0]
    return as_strided(segment, (n_rows, width), (block * stride, stride), writeable=False)


def _row_cumsums(rows: np.ndarray, weighted: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Cumsum ``C`` along each row of ``y = row - anchor`` and, if weighted, its cumsum ``CC``.

    The anchor is the row's first value. Subtracting it means the cumsums add deviations from
    it (often exact, by Sterbenz's lemma) instead of whole prices. Their rounding error then
    follows the local price range, not the price level. Each row has its own short cumsums,
    so rounding never builds up across the series either. The first value (not, say, the
    middle one) keeps results bit-identical when candles are appended: a row's anchor never
    depends on values after its outputs, so no past value changes (no lookahead).
    """
    val_cum = np.subtract(rows, rows[:, :1])
    np.cumsum(val_cum, axis=1, out=val_cum)
    return val_cum, (np.cumsum(val_cum, axis=1) if weighted else None)


def _row_means(rows: np.ndarray, periods: Sequence[int], out: np.ndarray, weighted: bool) -> None:
    """Write into ``out[i]`` the (weighted) moving means of ``periods[i]`` for these rows.

    Row ``k`` holds ``lead`` values before output block ``k`` and then the block itself, so
    output ``j`` of the block has its newest value at local index ``e = j + lead``. Each
    window is ``(b, e]`` with ``b = e - period``, and with ``C`` the row cumsum:

    * sum: ``C[e] - C[b]``;
    * weighted sum: ``sum_{p in (b, e]} (p - b) * y[p] = sum_{q=b}^{e-1} (C[e] - C[q])
      = period * C[e] - (CC[e-1] - CC[b-1])``, which needs ``lead >= period + 1``.
    """
    width, block = rows.shape[1], out.shape[-1]
    lead = width - block
    val_cum, cum_cum = _row_cumsums(rows, weighted)

    newest = slice(lead, width)  # e for each output of the block
    for period, dest in zip(periods, out, strict=True):
        if period == 1:
            dest[...] = rows[:, newest]  # exact copy, no rounding
            continue
        if cum_cum is None:
            np.subtract(val_cum[:, newest], val_cum[:, lead - period : width - period], out=dest)
            dest /= period
        else:
            np.multiply(val_cum[:, newest], float(period), out=dest)
            dest -= cum_cum[:, lead - 1 : width - 1]
            dest += cum_cum[:, lead - period - 1 : width - period - 1]
            dest /= period * (period + 1) / 2
        dest += rows[:, :1]  # add the anchor back


def _rolling_means(
    series: np.ndarray, periods: Sequence[int], weighted: bool, overwrite: bool = False
) -> list[np.ndarray]:
    """(Weighted) moving means of `series` for several periods, sharing one blocked pass.

    Every period must be <= len(series). ``overwrite=True`` allows filling the missing values
    of `series` in place (for scratch inputs).
    """
    n_obs = series.size
    filled, n_leading, missing = _fill_missing(series, overwrite)
    span = max(periods)
    lead = span + 1 if weighted else span  # values each row needs before its first output
    # The row grid depends on the period only, never on the series length, so a prefix of the
    # series is cut into the same rows and gets bit-identical results.
    block = max(_MIN_BLOCK, _BLOCK_PER_PERIOD * span)
    width = block + lead
    n_rows = -(-n_obs // block)
    means = np.empty((len(periods), n_rows, block))
    step = max(1, _CHUNK // width)
    for first in range(0, n_rows, step):  # one iteration per cache-sized group of rows
        last = min(first + step, n_rows)
        segment = _segment(filled, first * block - lead, last * block)
        rows = _overlapping_rows(segment, width, block)
        _row_means(rows, periods, means[:, first:last], weighted)

    results = []
    for period, mean in zip(periods, means, strict=True):
        out = mean.reshape(-1)[:n_obs]
        _mask_windows(out, period, n_leading, missing)
        results.append(out)
    return results


@memoised
def sma(values: ArrayLike, period: int) -> np.ndarray:
    """SMA(n)[t] = (x[t-n+1] + ... + x[t]) / n; NaN for t < n-1 and for windows with a NaN."""
    period = _check_period(period)
    series = _as_series(values)
    if period > series.size:
        return np.full(series.size, np.nan)
    return _rolling_means(series, (period,), weighted=False)[0]


@memoised
def wma(values: ArrayLike, period: int) -> np.ndarray:
    """WMA(n)[t] = sum_{i=0}^{n-1} (n-i) * x[t-i] / (n(n+1)/2); NaN rules as for sma."""
    period = _check_period(period)
    series = _as_series(values)
    if period > series.size:
        return np.full(series.size, np.nan)
    return _rolling_means(series, (period,), weighted=True)[0]


@memoised
def hma(values: ArrayLike, period: int) -> np.ndarray:
    """HMA(n) = WMA(isqrt(n)) of (2 * WMA(n // 2) - WMA(n)); n >= 2, first value at n+isqrt(n)-2."""
    period = _check_period(period, minimum=2)
    series = _as_series(values)
    if period > series.size:
        return np.full(series.size, np.nan)
    slow, fast = _rolling_means(series, (period, period // 2), weighted=True)
    inner = fast  # 2 * WMA(n//2) - WMA(n), built in place: NaN wherever WMA(n) is NaN
    inner *= 2.0
    inner -= slow
    return _rolling_means(inner, (math.isqrt(period),), weighted=True, overwrite=True)[0]


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


@memoised
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
