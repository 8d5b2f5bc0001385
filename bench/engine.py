"""Backtest engine timings for `make bench`: ours against backtesting.py on the same signals.

`bench_engine()` returns records shaped like bench/run.py's: {"name", "value", "unit",
"reference"?, "ratio"?}; times in ms, lower is better.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from apps.analytics.engine import BacktestConfig, backtest_strategy, run_backtest

from .backtesting_py import backtesting_py_run
from .candles import YEAR_OF_5M_BARS, tiled_candles


def _median_ms(func: Callable[[], object], repeat: int) -> float:
    func()  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


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

    ours_full = _median_ms(full, repeat=repeat)
    ours_engine = _median_ms(lambda: run_backtest(candles, signals, config=config), repeat=repeat)
    reference = _median_ms(
        lambda: backtesting_py_run(candles, signals, config), repeat=reference_repeat
    )
    label, size = "backtest hma-sma + SL/TP", f"{bars:,} 5m bars"
    return [
        _record(f"{label}, indicators included", size, ours_full, "ms", reference),
        _record(f"{label}, engine only (signals given)", size, ours_engine, "ms", reference),
        _record(f"{label}, backtesting.py 0.6.6 (signals given)", size, reference, "ms"),
    ]
