"""EMA crossover: the second registry strategy, proof that a new one needs no change elsewhere.

Long setup while the fast EMA is above the slow one, short setup while below; an entry is the
bar of the cross. A long exits when the short setup starts (and the mirror for shorts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.datafeeds.arrays import CandleArrays

from ..indicators import ema
from ..registry import Param, StrategyResult, StrategySpec, register
from ..signals import entry_signals


def _compute(
    base: CandleArrays, context: Mapping[str, CandleArrays | None], params: Mapping[str, Any]
) -> StrategyResult:
    fast = ema(base.close, params["fast_period"])
    slow = ema(base.close, params["slow_period"])
    long_setup = fast > slow  # NaN during warm-up compares False
    short_setup = fast < slow
    long_entry = entry_signals(long_setup)
    short_entry = entry_signals(short_setup)
    return StrategyResult(
        long_setup=long_setup,
        short_setup=short_setup,
        long_entry=long_entry,
        short_entry=short_entry,
        long_exit=short_setup,
        short_exit=long_setup,
        indicators={"ema_fast": fast, "ema_slow": slow},
    )


def _display(
    candles: CandleArrays, timeframe: str, result: StrategyResult, params: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "ema_fast": ema(candles.close, params["fast_period"]),
        "ema_slow": ema(candles.close, params["slow_period"]),
    }


def _warmup(params: Mapping[str, Any]) -> int:
    return max(params["fast_period"], params["slow_period"]) * 5  # EMA seeds settle in ~5 periods


def _check(params: Mapping[str, Any]) -> dict[str, str]:
    if params["fast_period"] >= params["slow_period"]:
        return {"fast_period": "must be below slow_period"}
    return {}


EMA_CROSS = register(
    StrategySpec(
        key="ema-cross",
        name="EMA crossover",
        description="Long while the fast EMA is above the slow EMA, short while below.",
        params=(
            Param("fast_period", int, 12, 2, 500, "fast EMA period (base closes)"),
            Param("slow_period", int, 26, 3, 1000, "slow EMA period (base closes)"),
        ),
        base_timeframe="5m",
        context_timeframes=(),
        base_warmup=_warmup,
        context_warmup=lambda params: 0,
        display_warmup=_warmup,
        check=_check,
        compute=_compute,
        display=_display,
    )
)
