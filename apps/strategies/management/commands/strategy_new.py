"""python manage.py strategy_new NAME [--dir DIR]: a working strategy plugin to start from."""

from __future__ import annotations

from pathlib import Path
from string import Template

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.strategies.plugins import key_problem
from apps.strategies.registry import strategy_specs

# The scaffold ($key and $title are filled in). It must pass `strategy_check` as written
# (apps/strategies/tests/test_plugins.py checks it).
SCAFFOLD = Template('''\
"""$title: an operator strategy plugin (docs/strategies/plugins.md).

Written by `python manage.py strategy_new $key`. Edit it, check it on stored candles:

    python manage.py strategy_check $key --symbol BTCUSDT

then restart the web server and the workers: plugins are loaded once per process.

The example: long while the 5m close is above its trend EMA and above the EMA of the closed 1h
candles, with the RSI above `rsi_level` (momentum); short is the mirror image. A long exits when
the close falls back below the trend EMA (a short when it rises above it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.strategies.indicators import ema
from apps.strategies.registry import (
    ClosedSeries,
    Param,
    StrategyResult,
    StrategySpec,
    register,
)
from apps.strategies.signals import (
    align_closed,
    close_times,
    entry_signals,
    higher_timeframe_candles,
)

BASE_TIMEFRAME = "5m"  # the series the signals run on: one value per 5m bar
TREND_TIMEFRAME = "1h"  # a higher timeframe it reads, only as candles closed by each 5m close
# An EMA remembers its first values (its seed). After 10 periods what is left of the seed is
# far below 1e-6 of the price, so a backtest or a bot that reads just the declared warm-up sees
# the values of a chart with years of history. `strategy_check` verifies it.
EMA_SETTLE = 10  # periods


def rsi(close: np.ndarray, period: int) -> np.ndarray:
    """Wilder's RSI = 100 - 100 / (1 + average gain / average loss), the averages smoothed with
    alpha = 1/period (an EMA of span 2 * period - 1); NaN during its warm-up."""
    change = np.diff(close, prepend=np.nan)  # the first bar has no change: NaN, skipped
    gain = ema(np.clip(change, 0.0, None), 2 * period - 1)
    loss = ema(np.clip(-change, 0.0, None), 2 * period - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 100.0 - 100.0 / (1.0 + gain / loss)  # no loss: gain / 0 = inf, RSI 100
    return np.where((gain == 0) & (loss == 0), 50.0, value)  # a flat stretch: neutral


def _base_warmup(params: Mapping[str, Any]) -> int:
    """Base bars the signals need before the first one: the longest EMA settles (the RSI's
    averages are EMAs of span 2 * rsi_period - 1), +1 for the RSI's first change."""
    longest = max(params["trend_period"], 2 * params["rsi_period"] - 1)
    return EMA_SETTLE * longest + 1


def _context_warmup(params: Mapping[str, Any]) -> int:
    """1h candles before the first signal: the 1h EMA settles, +1 for the hour in progress at
    the first bar (not closed yet, so not seen)."""
    return EMA_SETTLE * params["htf_period"] + 1


def _compute(
    base: CandleArrays, context: Mapping[str, CandleArrays | None], params: Mapping[str, Any]
) -> StrategyResult:
    """Setups, entries and exits per 5m bar. Pure: arrays in, arrays out, the same length as
    `base`, no I/O. A value at bar i may only use candles closed by bar i's close."""
    close = base.close
    # Lines of the base timeframe (NaN while warming up; NaN compares False, so no signal).
    trend = ema(close, params["trend_period"])
    momentum = rsi(close, params["rsi_period"])
    # The higher timeframe: its closed candles (the stored ones, or aggregated from the 5m
    # candles when they are not stored), and at each 5m bar the EMA of the latest 1h candle
    # closed by that bar's close. Never pick a 1h candle by its open time: the hour still in
    # progress would hand over a close that is not known yet (lookahead).
    hours, _source = higher_timeframe_candles(
        base, BASE_TIMEFRAME, TREND_TIMEFRAME, context.get(TREND_TIMEFRAME)
    )
    hours_close_ms = close_times(hours, TREND_TIMEFRAME)
    hourly_ema = ema(hours.close, params["htf_period"])
    htf = align_closed(hours_close_ms, hourly_ema, close_times(base, BASE_TIMEFRAME))

    # Setups: the conditions hold at the bar's close.
    long_setup = (close > trend) & (close > htf) & (momentum > params["rsi_level"])
    short_setup = (close < trend) & (close < htf) & (momentum < 100.0 - params["rsi_level"])
    return StrategyResult(
        long_setup=long_setup,
        short_setup=short_setup,
        # Entries: the bars where a setup starts (it did not hold on the bar before).
        long_entry=entry_signals(long_setup),
        short_entry=entry_signals(short_setup),
        # Exits: a long leaves when the close is back below the trend EMA, a short above it.
        long_exit=close < trend,
        short_exit=close > trend,
        # Indicators: one value per base bar, checked by strategy_check like the signals.
        indicators={"ema_trend": trend, "rsi": momentum, "ema_1h": htf},
        # Lines on their own timeframe's clock, for _display (known from each 1h close on).
        series={"ema_1h": ClosedSeries(hours_close_ms, hourly_ema)},
    )


def _display(
    candles: CandleArrays, timeframe: str, result: StrategyResult, params: Mapping[str, Any]
) -> dict[str, Any]:
    """The lines the chart draws over the displayed candles (of any timeframe), each a float
    array aligned to them (NaN where undefined): the trend EMA of the displayed closes, and the
    1h EMA as it was known at each displayed candle's close."""
    hourly = result.series["ema_1h"]
    return {
        "ema_trend": ema(candles.close, params["trend_period"]),
        "ema_1h": align_closed(hourly.close_ms, hourly.values, close_times(candles, timeframe)),
    }


SPEC = register(
    StrategySpec(
        key="$key",  # unique slug; the API and the bots name the strategy by it
        name="$title",
        description=(
            "Long above the 5m trend EMA and the closed 1h EMA with RSI momentum; short is the "
            "mirror image. Exits when the close crosses back over the trend EMA."
        ),
        # Parameters: name, int or float, default, minimum, maximum, description. Values out
        # of bounds and unknown names are refused before compute runs.
        params=(
            Param("trend_period", int, 50, 2, 1000, "trend EMA period (5m closes)"),
            Param("htf_period", int, 20, 2, 500, "EMA period on the closed 1h candles"),
            Param("rsi_period", int, 14, 2, 100, "RSI period (5m closes)"),
            Param("rsi_level", float, 55.0, 50.0, 90.0, "long above it, short below 100 - it"),
        ),
        base_timeframe=BASE_TIMEFRAME,
        context_timeframes=(TREND_TIMEFRAME,),
        base_warmup=_base_warmup,
        context_warmup=_context_warmup,
        # Displayed candles the lines need before the first one shown.
        display_warmup=lambda params: EMA_SETTLE * params["trend_period"],
        compute=_compute,
        display=_display,
        # Optional: check=lambda params: {} returns {param: message} for cross-field rules.
    )
)
''')


class Command(BaseCommand):
    help = (
        "Write a working example strategy plugin (EMA trend, 1h EMA filter, RSI momentum) to "
        "start from, into --dir or the first STRATEGY_PLUGIN_DIRS directory."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="strategy key, a slug such as my-trend; also the file")
        parser.add_argument("--dir", default=None, help="plugin directory (created if missing)")

    def handle(self, *args, **options):
        key = options["name"]
        problem = key_problem(key)
        if problem:
            raise CommandError(f"Invalid name: {problem}.")
        taken = {spec.key: spec for spec in strategy_specs()}
        if key in taken:
            raise CommandError(
                f"Invalid name: '{key}' is already the key of the {taken[key].source} strategy "
                f"'{taken[key].name}'; choose another."
            )
        directory = options["dir"] or next(iter(settings.STRATEGY_PLUGIN_DIRS), None)
        if not directory:
            raise CommandError(
                "No plugin directory: pass --dir DIR, or set STRATEGY_PLUGIN_DIRS "
                "(docs/strategies/plugins.md)."
            )
        directory = Path(directory)
        module = key.replace("-", "_")
        path = directory / f"{module}.py"
        if path.exists():
            raise CommandError(f"{path} exists; not overwritten. Choose another name or move it.")
        title = key.replace("-", " ").capitalize()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as file:  # "x": never overwrite
                file.write(SCAFFOLD.substitute(key=key, title=title))
        except FileExistsError as error:
            raise CommandError(f"{path} exists; not overwritten.") from error
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error}") from error
        self.stdout.write(f"Wrote {path}: the strategy '{key}'.")
        listed = {Path(d).resolve() for d in settings.STRATEGY_PLUGIN_DIRS}
        if directory.resolve() not in listed:
            self.stdout.write(
                f"Add {directory.resolve()} to STRATEGY_PLUGIN_DIRS so that it is loaded."
            )
        self.stdout.write(
            f"Check it: python manage.py strategy_check {key} --symbol BTCUSDT; then restart "
            "the web server and the workers to load it."
        )
