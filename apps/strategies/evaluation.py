"""Evaluate a registry strategy over stored candles for display (the run endpoint).

Loads the displayed candles, enough history before them for every indicator to be defined from
the first displayed candle (when the data exists), the base series and the higher timeframes;
computes the strategy once on the base series and projects it onto the displayed candles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.models import Symbol
from apps.datafeeds.selectors import candles_window
from apps.datafeeds.timeframes import bucket_floor, bucket_next, timeframe_ms

from .registry import StrategyResult, StrategySpec
from .signals import candles_cover, close_times


class MissingCandles(LookupError):
    """No stored candles where the evaluation needs them; the message says what to fetch."""


@dataclass(frozen=True)
class Entry:
    side: str  # "long" or "short"
    display_open_ms: int  # open time of the displayed candle that contains the base bar
    bar_open_ms: int  # the base (5m) bar of the signal
    price: float  # its close: the signal is taken at the bar's close


@dataclass(frozen=True)
class Evaluation:
    spec: StrategySpec
    params: dict[str, Any]
    symbol: Symbol
    timeframe: str
    candles: CandleArrays
    lines: dict[str, Any]  # arrays (or dicts of arrays) aligned to `candles`
    long_active: np.ndarray  # per displayed candle: the long setup at its close
    short_active: np.ndarray
    entries: list[Entry]
    warmup_complete: bool
    result: StrategyResult


def _fetch_hint(symbol: Symbol, timeframe: str) -> str:
    return (
        f"python manage.py fetch_ohlcv {symbol.name} {timeframe} --exchange {symbol.exchange} "
        f"--base {symbol.base} --quote {symbol.quote} --since <YYYY-MM-DD>"
    )


def _lines_defined_at(lines: dict[str, Any], index: int) -> bool:
    for line in lines.values():
        arrays = line.values() if isinstance(line, dict) else [line]
        if any(not np.isfinite(a[index]) for a in arrays):
            return False
    return True


def strategy_evaluate(
    *,
    spec: StrategySpec,
    params: dict[str, Any],
    symbol: Symbol,
    timeframe: str,
    start_ms: int | None,
    end_ms: int | None,
    limit: int,
) -> Evaluation:
    shown = candles_window(
        symbol=symbol, timeframe=timeframe, start_ms=start_ms, end_ms=end_ms, limit=limit
    )
    if not len(shown):
        raise MissingCandles(
            f"No {timeframe} candles of {symbol} in that window. Fetch them: "
            f"{_fetch_hint(symbol, timeframe)}"
        )
    first_open = int(shown.open_time[0])
    shown_close = close_times(shown, timeframe)
    last_close = int(shown_close[-1])

    history = candles_window(
        symbol=symbol, timeframe=timeframe, end_ms=first_open - 1, limit=spec.display_warmup(params)
    )
    display = CandleArrays.concat([history, shown]) if len(history) else shown

    base_tf = spec.base_timeframe
    base_ms = timeframe_ms(base_tf)
    base_start = first_open - spec.base_warmup(params) * base_ms
    # Higher timeframes come with their own warm-up when stored whole; when not, the base series
    # is loaded from that far back so that they can be aggregated from it.
    context = {}
    for tf in spec.context_timeframes:
        tf_start = int(bucket_floor(first_open, tf)) - spec.context_warmup(params) * timeframe_ms(
            tf
        )
        context[tf] = candles_window(
            symbol=symbol, timeframe=tf, start_ms=tf_start, end_ms=last_close - timeframe_ms(tf)
        )
        if not candles_cover(context[tf], tf, tf_start, int(bucket_floor(last_close, tf))):
            base_start = min(base_start, tf_start)
    base = candles_window(
        symbol=symbol, timeframe=base_tf, start_ms=base_start, end_ms=last_close - base_ms
    )
    if not len(base):
        raise MissingCandles(
            f"No {base_tf} candles of {symbol} up to the displayed window: the strategy runs on "
            f"the {base_tf} series. Fetch it: {_fetch_hint(symbol, base_tf)}"
        )
    result = spec.compute(base, context, params)

    skip = len(display) - len(shown)
    lines = {
        key: ({k: v[skip:] for k, v in value.items()} if isinstance(value, dict) else value[skip:])
        for key, value in spec.display(display, timeframe, result, params).items()
    }
    # The base bar whose close is the latest at or before each displayed candle's close.
    base_close = close_times(base, base_tf)
    at_close = np.searchsorted(base_close, shown_close, side="right") - 1
    seen = at_close >= 0
    long_active = np.where(seen, result.long_setup[np.maximum(at_close, 0)], False)
    short_active = np.where(seen, result.short_setup[np.maximum(at_close, 0)], False)

    entries = _project_entries(base, base_close, result, shown, timeframe)
    base_defined = seen[0] and all(
        np.isfinite(values[at_close[0]]) for values in result.indicators.values()
    )
    return Evaluation(
        spec=spec,
        params=params,
        symbol=symbol,
        timeframe=timeframe,
        candles=shown,
        lines=lines,
        long_active=long_active,
        short_active=short_active,
        entries=entries,
        warmup_complete=bool(base_defined and _lines_defined_at(lines, 0)),
        result=result,
    )


def _project_entries(
    base: CandleArrays,
    base_close: np.ndarray,
    result: StrategyResult,
    shown: CandleArrays,
    timeframe: str,
) -> list[Entry]:
    """Each base entry inside the displayed window, on the displayed candle that contains the
    bar's last instant (the signal is known at its close; this matters below the base timeframe)."""
    shown_close = bucket_next(shown.open_time, timeframe)
    entries = []
    for side, flags in (("long", result.long_entry), ("short", result.short_entry)):
        bars = np.flatnonzero(flags)
        last_instant = base_close[bars] - 1
        candle = np.searchsorted(shown.open_time, last_instant, side="right") - 1
        inside = (candle >= 0) & (last_instant < shown_close[np.maximum(candle, 0)])
        for bar, index in zip(bars[inside].tolist(), candle[inside].tolist(), strict=True):
            entries.append(
                Entry(
                    side,
                    int(shown.open_time[index]),
                    int(base.open_time[bar]),
                    float(base.close[bar]),
                )
            )
    entries.sort(key=lambda e: e.bar_open_ms)
    return entries
