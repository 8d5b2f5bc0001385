"""Backtest engine timings for `make bench`: ours against backtesting.py on the same signals.

`bench_engine()` returns records shaped like bench/run.py's: {"name", "value", "unit",
"reference"?, "ratio"?}; times in ms, lower is better.
"""

from __future__ import annotations

from typing import Any

from apps.analytics.engine import BacktestConfig, backtest_strategy, run_backtest

from .backtesting_py import backtesting_py_run
from .candles import YEAR_OF_5M_BARS, tiled_candles
from .stats import median_ms


def _record(name: str, size: str, value: float, unit: str, reference: float | None = None) -> dict:
    entry: dict[str, Any] = {"name": name, "size": size, "value": round(value, 3), "unit": unit}
    if reference is not None:
        entry["reference"] = round(reference, 3)
        entry["ratio"] = round(reference / value, 2)  # times faster than the reference
    return entry


def bench_engine(
    bars: int = YEAR_OF_5M_BARS, repeat: int = 15, reference_repeat: int = 3
) -> list[dict]:
    """hma-sma (defaults, 1h/4h aggregated from 5m) with a 1.5% stop and a 3% target over
    `bars` tiled 5m candles: ours with the indicators, ours on precomputed signals, and
    backtesting.py replaying the same precomputed signals (its run only)."""
    from apps.strategies.registry import strategy_spec

    spec = strategy_spec("hma-sma")
    candles = tiled_candles(bars)
    context = {"1h": None, "4h": None}
    config = BacktestConfig(stop_loss=0.015, take_profit=0.03)
    signals = spec.compute(candles, context, spec.defaults())

    def full() -> object:
        return backtest_strategy(spec, candles, context, None, config)

    ours_full = median_ms(full, repeat=repeat)
    ours_engine = median_ms(lambda: run_backtest(candles, signals, config=config), repeat=repeat)
    reference = median_ms(
        lambda: backtesting_py_run(candles, signals, config), repeat=reference_repeat
    )
    label, size = "backtest hma-sma + SL/TP", f"{bars:,} 5m bars"
    return [
        _record(f"{label}, indicators included", size, ours_full, "ms", reference),
        _record(f"{label}, engine only (signals given)", size, ours_engine, "ms", reference),
        _record(f"{label}, backtesting.py 0.6.6 (signals given)", size, reference, "ms"),
    ]
