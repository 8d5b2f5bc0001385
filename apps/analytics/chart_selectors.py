"""A finished run's candle chart in one read: the candles of its span, the strategy's lines on
them (the same display function the run endpoint and the playback page use) and the
buy-and-hold equity to compare the run's equity with. Arrays, never a Python object per bar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.models import Candle
from apps.strategies.evaluation import strategy_evaluate
from apps.strategies.registry import strategy_spec
from apps.strategies.selectors import strategy_display_inputs

from .models import BacktestRun

# Candles of one chart: a year of 1m bars is ~525k; beyond this the span's last ones are shown
# (a browser would not draw more at a usable speed anyway).
CHART_MAX_CANDLES = 300_000


@dataclass(frozen=True)
class RunChart:
    candles: CandleArrays
    lines: dict[str, np.ndarray]  # name -> float64 aligned to the candles, NaN where undefined
    buy_and_hold: np.ndarray  # equity of holding from the first bar, at each bar's close
    truncated: bool  # the span had more than CHART_MAX_CANDLES candles: its first are left out


def flat_lines(lines: dict) -> dict[str, np.ndarray]:
    """{"sma": a, "hma": {"1h": b}} -> {"sma": a, "hma 1h": b} (the names the legends show)."""
    flat: dict[str, np.ndarray] = {}
    for key, value in lines.items():
        if isinstance(value, dict):
            flat.update(
                {f"{key} {sub}": np.asarray(v, dtype=np.float64) for sub, v in value.items()}
            )
        else:
            flat[key] = np.asarray(value, dtype=np.float64)
    return flat


def buy_and_hold_equity(*, candles: CandleArrays, capital: float, fee_rate: float) -> np.ndarray:
    """capital * (1 - fee) * close / first open: all of it bought at the first bar's open, one
    fee paid, marked at each close (as the run's equity is)."""
    if not len(candles) or candles.open[0] <= 0:
        return np.full(len(candles), np.nan)
    return capital * (1.0 - fee_rate) * candles.close / candles.open[0]


def backtest_chart(*, run: BacktestRun) -> RunChart:
    """The run's span on its timeframe with the strategy's lines (its last CHART_MAX_CANDLES).
    MissingCandles when the span has no candles any more (deleted since the run)."""
    spec = strategy_spec(run.strategy)  # the key was checked against its owner when stored
    inputs = strategy_display_inputs(
        spec=spec,
        params=run.params,
        symbol=run.symbol,
        timeframe=run.timeframe,
        start_ms=run.start_ms,
        end_ms=run.end_ms - 1,  # candles_window's end is inclusive, the run's is not
        limit=CHART_MAX_CANDLES,
    )
    first_shown = int(inputs.candles.open_time[0])
    truncated = len(inputs.candles) == CHART_MAX_CANDLES and (
        Candle.objects.filter(
            symbol=run.symbol,
            timeframe=run.timeframe,
            open_time__gte=run.start_ms,
            open_time__lt=first_shown,
        ).exists()
    )
    evaluation = strategy_evaluate(spec=spec, params=run.params, inputs=inputs)
    candles = evaluation.candles
    return RunChart(
        candles=candles,
        lines=flat_lines(evaluation.lines),
        buy_and_hold=buy_and_hold_equity(
            candles=candles, capital=run.initial_capital, fee_rate=run.fee_rate
        ),
        truncated=truncated,
    )
