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
from apps.datafeeds.resample import resample_candles
from apps.datafeeds.timeframes import bucket_floor, bucket_next, missing_intervals

from .indicators import falling, hma, rising, sma


def close_times(candles: CandleArrays, timeframe: str) -> np.ndarray:
    """Close time (= next open time) of each candle, epoch ms."""
    return bucket_next(candles.open_time, timeframe)


def closed_runs(source_close_ms: np.ndarray, target_close_ms: np.ndarray) -> np.ndarray:
    """How many targets see no source candle closed yet, then how many see each source candle
    as the latest one closed by their close time: len(source) + 1 counts summing to
    len(target). Both close times must be ascending, so each run is one stretch of targets."""
    first_seen = np.searchsorted(target_close_ms, source_close_ms, side="left")
    return np.diff(first_seen, prepend=0, append=len(target_close_ms))


def align_runs(values: np.ndarray, runs: np.ndarray, missing=np.nan) -> np.ndarray:
    """Each target's value of its latest closed source candle (`missing` before any), from
    closed_runs: one np.repeat, several times faster than gathering by index."""
    values = np.asarray(values)
    padded = np.empty(len(values) + 1, dtype=bool if values.dtype == bool else np.float64)
    padded[0] = missing
    padded[1:] = values
    return np.repeat(padded, runs)


def align_closed(
    source_close_ms: np.ndarray, values: np.ndarray, target_close_ms: np.ndarray
) -> np.ndarray:
    """Each target's value of the latest source candle closed by its close (NaN before any)."""
    return align_runs(values, closed_runs(source_close_ms, target_close_ms))


@dataclass(frozen=True)
class HigherTimeframe:
    """A higher timeframe's closed candles over a base series, and which of them each base bar
    sees: none of it depends on a strategy's parameters."""

    candles: CandleArrays
    source: str  # "stored" or "resampled" (aggregated from the base candles)
    close_ms: np.ndarray  # close time of each candle
    runs: np.ndarray  # closed_runs of the candles over the base bars

    def aligned(self, values: np.ndarray, missing=np.nan) -> np.ndarray:
        """Per base bar, the value of the latest candle closed by the bar's close."""
        return align_runs(values, self.runs, missing)


# The last answers of higher_timeframe, keyed by the identity of their inputs (each entry holds
# them, so an id is never reused while cached): a parameter study computes one strategy on the
# same candles hundreds of times, and this does not depend on its parameters. Two timeframes of
# two base series at most: a year of 5m bars is ~5 MB.
_HIGHER_CACHE_SIZE = 4
_higher_cache: dict[tuple, tuple[CandleArrays, CandleArrays | None, HigherTimeframe]] = {}
_higher_lock = threading.Lock()


def higher_timeframe(
    base: CandleArrays, base_timeframe: str, timeframe: str, stored: CandleArrays | None
) -> HigherTimeframe:
    """`timeframe` over the base series (_higher_timeframe_candles), the last few answers reused
    for the same input objects."""
    key = (id(base), id(stored), base_timeframe, timeframe)
    hit = _higher_cache.get(key)
    if hit is not None and hit[0] is base and hit[1] is stored:
        return hit[2]
    candles, source = _higher_timeframe_candles(base, base_timeframe, timeframe, stored)
    close_ms = close_times(candles, timeframe)
    runs = closed_runs(close_ms, close_times(base, base_timeframe))
    answer = HigherTimeframe(candles, source, close_ms, runs)
    with _higher_lock:
        while len(_higher_cache) >= _HIGHER_CACHE_SIZE:
            del _higher_cache[next(iter(_higher_cache))]
        _higher_cache[key] = (base, stored, answer)
    return answer


def higher_timeframe_candles(
    base: CandleArrays, base_timeframe: str, timeframe: str, stored: CandleArrays | None
) -> tuple[CandleArrays, str]:
    """The closed `timeframe` candles over the base series' span, and where they came from."""
    view = higher_timeframe(base, base_timeframe, timeframe, stored)
    return view.candles, view.source


def _higher_timeframe_candles(
    base: CandleArrays, base_timeframe: str, timeframe: str, stored: CandleArrays | None
) -> tuple[CandleArrays, str]:
    """The closed `timeframe` candles over the base series' span, and where they came from.

    Stored candles are used when they cover every complete bucket of the base span; otherwise
    (missing or incomplete) they are aggregated from the base series. The last bucket, still
    forming, is left out: it has not closed.
    """
    aggregated, complete = resample_candles(base, source=base_timeframe, target=timeframe)
    closed_until = int(bucket_next(base.open_time[-1], base_timeframe)) if len(base) else 0
    closed = bucket_next(aggregated.open_time, timeframe) <= closed_until
    resampled = aggregated.slice(closed)
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
    hmas, ups, downs, sources, own = {}, {}, {}, {}, {}
    for timeframe, stored in higher.items():
        view = higher_timeframe(base, base_timeframe, timeframe, stored)
        sources[timeframe] = view.source
        values = hma(view.candles.close, hma_period)
        own[timeframe] = (view.close_ms, values)
        hmas[timeframe] = view.aligned(values)
        ups[timeframe] = view.aligned(rising(values), missing=False)
        downs[timeframe] = view.aligned(falling(values), missing=False)
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
