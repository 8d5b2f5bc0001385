"""The HMA/SMA multi-timeframe strategy (SPEC §5, docs/strategies/hma_sma_strat.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.datafeeds.arrays import CandleArrays

from ..indicators import hma_warmup, sma
from ..registry import ClosedSeries, Param, StrategyResult, StrategySpec, register
from ..signals import align_closed, close_times, hma_sma_signals

BASE_TIMEFRAME = "5m"
HMA_TIMEFRAMES = ("1h", "4h")


def _base_warmup(params: Mapping[str, Any]) -> int:
    """Base bars before the first signal: the SMA's warm-up, +1 for the entry's previous bar."""
    return params["sma_period"]


def _context_warmup(params: Mapping[str, Any]) -> int:
    """1h/4h candles before the first signal: the HMA's warm-up, +1 for its slope (the HMA
    above the one before) and +1 for the candle in progress at the first displayed bar."""
    return hma_warmup(params["hma_period"]) + 2


def _compute(
    base: CandleArrays, context: Mapping[str, CandleArrays | None], params: Mapping[str, Any]
) -> StrategyResult:
    signals = hma_sma_signals(
        base,
        base_timeframe=BASE_TIMEFRAME,
        higher={tf: context.get(tf) for tf in HMA_TIMEFRAMES},
        sma_period=params["sma_period"],
        hma_period=params["hma_period"],
    )
    return StrategyResult(
        long_setup=signals.long.setup,
        short_setup=signals.short.setup,
        long_entry=signals.long_entry,
        short_entry=signals.short_entry,
        long_exit=signals.long_exit,
        short_exit=signals.short_exit,
        indicators={"sma": signals.sma, **{f"hma_{tf}": v for tf, v in signals.hma.items()}},
        series={
            f"hma_{tf}": ClosedSeries(close_ms, values)
            for tf, (close_ms, values) in signals.hma_own.items()
        },
    )


def _display(
    candles: CandleArrays, timeframe: str, result: StrategyResult, params: Mapping[str, Any]
) -> dict[str, Any]:
    """`sma`: SMA of the displayed timeframe; `hma`: each closed HMA as seen at each close."""
    shown_close = close_times(candles, timeframe)
    hmas = {tf: result.series[f"hma_{tf}"] for tf in HMA_TIMEFRAMES}
    return {
        "sma": sma(candles.close, params["sma_period"]),
        "hma": {tf: align_closed(h.close_ms, h.values, shown_close) for tf, h in hmas.items()},
    }


HMA_SMA = register(
    StrategySpec(
        key="hma-sma",
        name="HMA/SMA multi-timeframe",
        description=(
            "Long when the 5m close is above its SMA and above the closed 1h and 4h HMAs while "
            "both HMAs rise; short is the mirror image. Entries are the bars where a setup starts."
        ),
        params=(
            Param("sma_period", int, 200, 2, 1000, "SMA period on the base (5m) closes"),
            Param("hma_period", int, 200, 4, 1000, "HMA period on the 1h and 4h closes"),
        ),
        base_timeframe=BASE_TIMEFRAME,
        context_timeframes=HMA_TIMEFRAMES,
        base_warmup=_base_warmup,
        context_warmup=_context_warmup,
        display_warmup=lambda params: params["sma_period"] - 1,
        compute=_compute,
        display=_display,
    )
)
