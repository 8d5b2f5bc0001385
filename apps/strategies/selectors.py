"""The one path from the database to a strategy: everything it computes on, as arrays.

The run endpoint, backtests and (next) bots all read their candles here, then call the strategy's
pure `compute`; nothing else decides which candles, from how far back, a strategy sees.

Which candles: the base series from the strategy's warm-up before the span on; each higher
timeframe (`context_timeframes`) with its own warm-up, only candles closed by the span's end. A
higher timeframe is used from storage when it is stored whole over that stretch; when not, the
base series is read from as far back as the higher timeframe's warm-up, so that the strategy can
aggregate it from the base candles (signals.higher_timeframe_candles).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.hints import fetch_command
from apps.datafeeds.models import Symbol
from apps.datafeeds.selectors import candles_window
from apps.datafeeds.timeframes import bucket_floor, timeframe_ms

from .inputs import DisplayInputs, MissingCandles, StrategyInputs
from .registry import StrategySpec
from .signals import candles_cover, close_times


def strategy_inputs(
    *,
    spec: StrategySpec,
    params: dict[str, Any],
    symbol: Symbol,
    start_ms: int,
    end_ms: int,
) -> StrategyInputs:
    """Inputs of `spec` over the span of base bars opening in [start_ms, end_ms), with their
    warm-up; higher-timeframe candles only when closed by `end_ms` (module docstring)."""
    base_tf = spec.base_timeframe
    base_start = start_ms - spec.base_warmup(params) * timeframe_ms(base_tf)
    context: dict[str, CandleArrays | None] = {}
    for tf in spec.context_timeframes:
        tf_ms = timeframe_ms(tf)
        tf_start = int(bucket_floor(start_ms, tf)) - spec.context_warmup(params) * tf_ms
        context[tf] = candles_window(
            symbol=symbol, timeframe=tf, start_ms=tf_start, end_ms=end_ms - tf_ms
        )
        if not candles_cover(context[tf], tf, tf_start, int(bucket_floor(end_ms, tf))):
            base_start = min(base_start, tf_start)
    base = candles_window(symbol=symbol, timeframe=base_tf, start_ms=base_start, end_ms=end_ms - 1)
    first = int(np.searchsorted(base.open_time, start_ms))
    return StrategyInputs(base=base, context=context, first=first)


def strategy_display_inputs(
    *,
    spec: StrategySpec,
    params: dict[str, Any],
    symbol: Symbol,
    timeframe: str,
    start_ms: int | None,
    end_ms: int | None,
    limit: int,
) -> DisplayInputs:
    """The displayed window (rules of `candles_window`), its lines' warm-up, and the strategy's
    inputs for the base bars closed by the window's last close (none after it: no look-ahead,
    even when the displayed timeframe is below the base one). MissingCandles when either the
    window or the base series is empty."""
    warmup = spec.display_warmup(params)
    history = None
    if start_ms is None:  # the last `limit` up to the end: their warm-up comes in the same read
        both = candles_window(
            symbol=symbol, timeframe=timeframe, end_ms=end_ms, limit=limit + warmup
        )
        shown, history = both.slice(slice(-limit, None)), both.slice(slice(None, -limit))
    else:
        shown = candles_window(
            symbol=symbol, timeframe=timeframe, start_ms=start_ms, end_ms=end_ms, limit=limit
        )
    if not len(shown):
        raise MissingCandles(
            f"No {timeframe} candles of {symbol} in that window. Fetch them: "
            f"{fetch_command(symbol, timeframe, since_ms=start_ms)}"
        )
    first_open = int(shown.open_time[0])
    last_close = int(close_times(shown, timeframe)[-1])
    if history is None:
        history = candles_window(
            symbol=symbol, timeframe=timeframe, end_ms=first_open - 1, limit=warmup
        )
    base_tf = spec.base_timeframe
    inputs = strategy_inputs(
        spec=spec,
        params=params,
        symbol=symbol,
        start_ms=first_open,
        # Base bars opening before the base boundary at or below the last close are exactly
        # those closed by it.
        end_ms=int(bucket_floor(last_close, base_tf)),
    )
    if not len(inputs.base):
        since = first_open - spec.base_warmup(params) * timeframe_ms(base_tf)
        raise MissingCandles(
            f"No {base_tf} candles of {symbol} up to the displayed window: the strategy runs on "
            f"the {base_tf} series. Fetch it: {fetch_command(symbol, base_tf, since_ms=since)}"
        )
    return DisplayInputs(timeframe=timeframe, candles=shown, history=history, strategy=inputs)
