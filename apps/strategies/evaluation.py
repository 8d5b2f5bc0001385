"""The run endpoint's computation, pure (no database): the strategy once on the base series of
`DisplayInputs` (selectors.strategy_display_inputs), projected onto the displayed candles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.timeframes import bucket_next, timeframe_ms

from .inputs import DisplayInputs
from .registry import StrategyResult, StrategySpec
from .signals import close_times


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
    timeframe: str
    candles: CandleArrays
    lines: dict[str, Any]  # arrays (or dicts of arrays) aligned to `candles`
    long_active: np.ndarray  # per displayed candle: the long setup at its close
    short_active: np.ndarray
    entries: list[Entry]
    warmup_complete: bool
    result: StrategyResult
    # Above the base timeframe only: each base indicator (e.g. the 5m SMA the signals compare
    # with) as it stood at each displayed candle's close, NaN before the first base bar.
    base_indicators: dict[str, np.ndarray]


def _lines_defined_at(lines: dict[str, Any], index: int) -> bool:
    for line in lines.values():
        arrays = line.values() if isinstance(line, dict) else [line]
        if any(not np.isfinite(a[index]) for a in arrays):
            return False
    return True


def strategy_evaluate(
    *, spec: StrategySpec, params: dict[str, Any], inputs: DisplayInputs
) -> Evaluation:
    shown, timeframe = inputs.candles, inputs.timeframe
    shown_close = close_times(shown, timeframe)
    display = CandleArrays.concat([inputs.history, shown]) if len(inputs.history) else shown
    base, base_tf = inputs.strategy.base, spec.base_timeframe
    result = spec.compute(base, inputs.strategy.context, params)

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
    base_indicators = {}
    if timeframe_ms(timeframe) > timeframe_ms(base_tf):
        base_indicators = {
            name: np.where(seen, values[np.maximum(at_close, 0)], np.nan)
            for name, values in result.indicators.items()
        }
    base_defined = seen[0] and all(
        np.isfinite(values[at_close[0]]) for values in result.indicators.values()
    )
    return Evaluation(
        spec=spec,
        params=params,
        timeframe=timeframe,
        candles=shown,
        lines=lines,
        long_active=long_active,
        short_active=short_active,
        entries=entries,
        warmup_complete=bool(base_defined and _lines_defined_at(lines, 0)),
        result=result,
        base_indicators=base_indicators,
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
