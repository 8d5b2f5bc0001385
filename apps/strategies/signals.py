"""Signals of the HMA/SMA multi-timeframe strategy (SPEC §5), vectorised over whole series.

Time rule: a candle's values are known at its close. At a base (5m) bar closing at T, a
higher-timeframe value is that of the latest higher-timeframe candle whose close time is <= T,
so nothing ever depends on data after T.

    5m bar closing at 11:55 ─┐     ┌─ 5m bar closing at 12:00
    1h candles:  [10:00 ── 11:00) [11:00 ── 12:00) [12:00 ── 13:00)
                 seen by 11:55 ─┘                └─ first seen by the bar closing at 12:00
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.resample import resample_rows
from apps.datafeeds.timeframes import bucket_floor, bucket_next, missing_intervals

from .indicators import falling, hma, rising, sma


def close_times(candles: CandleArrays, timeframe: str) -> np.ndarray:
    """Close time (= next open time) of each candle, epoch ms."""
    return bucket_next(candles.open_time, timeframe)


def latest_closed(source_close_ms: np.ndarray, target_close_ms: np.ndarray) -> np.ndarray:
    """For each target close time T, the index of the latest source candle closing at or before
    T (-1 when none has closed yet). Source close times must be ascending."""
    return np.searchsorted(source_close_ms, target_close_ms, side="right") - 1


def take_closed(values: np.ndarray, index: np.ndarray, missing=np.nan) -> np.ndarray:
    """values[index], with `missing` where the index is -1 (nothing closed yet)."""
    values = np.asarray(values)
    out = np.full(len(index), missing, dtype=values.dtype if values.dtype == bool else np.float64)
    seen = index >= 0
    out[seen] = values[index[seen]]
    return out


def align_closed(
    source_close_ms: np.ndarray, values: np.ndarray, target_close_ms: np.ndarray
) -> np.ndarray:
    """Each target's value of the latest source candle closed by its close (NaN before any)."""
    return take_closed(values, latest_closed(source_close_ms, target_close_ms))


# The last answers of higher_timeframe_candles, keyed by the identity of their inputs (each entry
# holds them, so an id is never reused while cached): a parameter study computes one strategy on
# the same candles hundreds of times, and this aggregation does not depend on its parameters.
# Two timeframes of two base series at most: a year of 5m bars is ~5 MB.
_HIGHER_CACHE_SIZE = 4
_higher_cache: dict[tuple, tuple[CandleArrays, CandleArrays | None, tuple[CandleArrays, str]]] = {}
_higher_lock = threading.Lock()


def higher_timeframe_candles(
    base: CandleArrays, base_timeframe: str, timeframe: str, stored: CandleArrays | None
) -> tuple[CandleArrays, str]:
    """The closed `timeframe` candles over the base series' span, and where they came from
    (_higher_timeframe_candles), the last few answers reused for the same input objects."""
    key = (id(base), id(stored), base_timeframe, timeframe)
    hit = _higher_cache.get(key)
    if hit is not None and hit[0] is base and hit[1] is stored:
        return hit[2]
    answer = _higher_timeframe_candles(base, base_timeframe, timeframe, stored)
    with _higher_lock:
        while len(_higher_cache) >= _HIGHER_CACHE_SIZE:
            del _higher_cache[next(iter(_higher_cache))]
        _higher_cache[key] = (base, stored, answer)
    return answer


def _higher_timeframe_candles(
    base: CandleArrays, base_timeframe: str, timeframe: str, stored: CandleArrays | None
) -> tuple[CandleArrays, str]:
    """The closed `timeframe` candles over the base series' span, and where they came from.

    Stored candles are used when they cover every complete bucket of the base span; otherwise
    (missing or incomplete) they are aggregated from the base series. The last bucket, still
    forming, is left out: it has not closed.
    """
    rows, complete = resample_rows(base.rows(), source=base_timeframe, target=timeframe)
    closed_until = close_times(base, base_timeframe)[-1] if len(base) else 0
    closed = bucket_next(rows[:, 0].astype(np.int64), timeframe) <= closed_until
    resampled = CandleArrays.from_rows(rows[closed])
    if stored is not None and len(stored):
        wanted = resampled.open_time[complete[closed]]
        if np.isin(wanted, stored.open_time).all():
            # Stored history before the base span is kept: it is the higher timeframe's warm-up.
            return stored.slice(bucket_next(stored.open_time, timeframe) <= closed_until), "stored"
    return resampled, "resampled"


def candles_cover(candles: CandleArrays, timeframe: str, start_ms: int, end_ms: int) -> bool:
    """True when `candles` hold every candle of `timeframe` opening in [start_ms, end_ms)."""
    if not len(candles):
        return False
    inside = candles.open_time[(candles.open_time >= start_ms) & (candles.open_time < end_ms)]
    expected_first = int(bucket_floor(start_ms, timeframe))
    if expected_first < start_ms:
        expected_first = int(bucket_next(expected_first, timeframe))
    last_expected = int(bucket_floor(end_ms - 1, timeframe))
    return (
        len(inside) > 0
        and inside[0] == expected_first
        and inside[-1] == last_expected
        and not missing_intervals(inside, timeframe)
    )


@dataclass(frozen=True)
class SignalEvaluation:
    setup: np.ndarray  # bool per base bar: the setup holds at the bar's close
    last: bool  # the setup at the last bar


def _evaluation(setup: np.ndarray) -> SignalEvaluation:
    return SignalEvaluation(setup=setup, last=bool(setup[-1]) if len(setup) else False)


def evaluate_long_signal(
    close: np.ndarray,
    sma_base: np.ndarray,
    hmas: list[np.ndarray],
    hmas_rising: list[np.ndarray],
) -> SignalEvaluation:
    """Long setup: close above the base SMA and above every higher-timeframe HMA, all HMAs rising.

    NaN (warm-up) compares False, so no setup is reported before every indicator is defined.
    """
    setup = close > sma_base
    for value, up in zip(hmas, hmas_rising, strict=True):
        setup &= (close > value) & up
    return _evaluation(setup)


def evaluate_short_signal(
    close: np.ndarray,
    sma_base: np.ndarray,
    hmas: list[np.ndarray],
    hmas_falling: list[np.ndarray],
) -> SignalEvaluation:
    """Short setup: the mirror image (below the SMA and every HMA, all HMAs falling)."""
    setup = close < sma_base
    for value, down in zip(hmas, hmas_falling, strict=True):
        setup &= (close < value) & down
    return _evaluation(setup)


def entry_signals(setup: np.ndarray) -> np.ndarray:
    """An entry (an arrow) is a bar where the setup holds and did not on the bar before."""
    previous = np.r_[False, setup[:-1]]
    return setup & ~previous


@dataclass(frozen=True)
class HmaSmaSignals:
    sma: np.ndarray  # SMA(sma_period) of the base closes
    hma: dict[str, np.ndarray]  # closed HMA per higher timeframe, aligned to base bars
    hma_own: dict[str, tuple[np.ndarray, np.ndarray]]  # per timeframe: (close times, HMA values)
    hma_rising: dict[str, np.ndarray]
    hma_falling: dict[str, np.ndarray]
    long: SignalEvaluation
    short: SignalEvaluation
    long_entry: np.ndarray
    short_entry: np.ndarray
    long_exit: np.ndarray  # close below the SMA, or a short setup appears
    short_exit: np.ndarray
    sources: dict[str, str]  # per higher timeframe: "stored" or "resampled"


def hma_sma_signals(
    base: CandleArrays,
    *,
    base_timeframe: str,
    higher: dict[str, CandleArrays | None],
    sma_period: int,
    hma_period: int,
) -> HmaSmaSignals:
    """Every indicator, setup, entry and exit of the strategy on the base series."""
    base_close_ms = close_times(base, base_timeframe)
    hmas, ups, downs, sources, own = {}, {}, {}, {}, {}
    for timeframe, stored in higher.items():
        candles, sources[timeframe] = higher_timeframe_candles(
            base, base_timeframe, timeframe, stored
        )
        closes_at = close_times(candles, timeframe)
        values = hma(candles.close, hma_period)
        own[timeframe] = (closes_at, values)
        seen = latest_closed(closes_at, base_close_ms)
        hmas[timeframe] = take_closed(values, seen)
        ups[timeframe] = take_closed(rising(values), seen, missing=False)
        downs[timeframe] = take_closed(falling(values), seen, missing=False)
    base_sma = sma(base.close, sma_period)
    long = evaluate_long_signal(base.close, base_sma, list(hmas.values()), list(ups.values()))
    short = evaluate_short_signal(base.close, base_sma, list(hmas.values()), list(downs.values()))
    long_entry = entry_signals(long.setup)
    short_entry = entry_signals(short.setup)
    return HmaSmaSignals(
        sma=base_sma,
        hma=hmas,
        hma_own=own,
        hma_rising=ups,
        hma_falling=downs,
        long=long,
        short=short,
        long_entry=long_entry,
        short_entry=short_entry,
        long_exit=(base.close < base_sma) | short.setup,
        short_exit=(base.close > base_sma) | long.setup,
        sources=sources,
    )
