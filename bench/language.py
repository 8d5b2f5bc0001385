"""The strategy language against the hand-written built-ins, in the same run (`make bench`).

`ema-cross` and `hma-sma` written in the language (apps/strategies/library/*.strategy) against
their Python versions: signals alone and whole backtests, on the same tiled 5m candles. Then
the compile time of a 30-line strategy and one strategy with ten indicators. Each figure is a
median in ms (lower is better); a ratio below 1 is how much slower the language is. The language
and its reference are timed in alternation, so that both see the same load.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from apps.analytics.engine import BacktestConfig, backtest_strategy
from apps.datafeeds.arrays import CandleArrays
from apps.strategies.language.compiler import strategy_compile
from apps.strategies.language.reference import builtin_source
from apps.strategies.language.spec import program_spec
from apps.strategies.registry import strategy_spec

from .candles import tiled_candles
from .engine import _record
from .stats import median_ms

THIRTY_LINES = """# A 30-line strategy: trend, momentum and volatility filters
timeframe = "5m"
param fast = 12 in 5..50          # fast EMA
param slow = 26 in 10..200        # slow EMA
param rsi_len = 14 in 5..50
param band = 2.0 in 1..4
param atr_len = 14 in 5..50
fast_ema = ema(close, fast)
slow_ema = ema(close, slow)
trend = tf("1h", hma(close, 100))
trend_4h = tf("4h", sma(close, 50))
momentum = rsi(close, rsi_len)
bands = bollinger(close, 20, band)
upper = bands.upper
lower = bollinger(close, 20, band).lower
vol = atr(atr_len)
quiet = vol < sma(vol, 50)
breakout = close > highest(high, 20)
breakdown = close < lowest(low, 20)
bull = close > trend and close > trend_4h
bear = close < trend and close < trend_4h
long_setup = fast_ema > slow_ema and bull and momentum < 70
short_setup = fast_ema < slow_ema and bear and momentum > 30
long_entry = crosses_above(fast_ema, slow_ema) and bull or breakout and quiet
short_entry = crosses_below(fast_ema, slow_ema) and bear or breakdown and quiet
long_exit = crosses_below(close, lower) or momentum > 80
short_exit = crosses_above(close, upper) or momentum < 20
stop_loss = 2%
take_profit = 4%
"""
TEN_INDICATORS = """param n = 14 in 5..50
a = rsi(close, n)
b = macd(close, 12, 26, 9).hist
c = bollinger(close, 20, 2).lower
d = atr(n)
e = adx(n)
f = stochastic(14, 3, 3).k
g = cci(20)
h = mfi(n)
i = supertrend(10, 3).direction
j = keltner(20, 2, 10).upper
long_entry = a < 30 and b > 0 and close < c and e > 20 and f < 20 and g < -100 and h < 20
long_exit = i < 0 or close > j or d > sma(d, 50) * 2
"""


def _paired_medians_ms(
    ours: Callable[[], object], reference: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Medians of the two, timed in alternation: on a shared machine, both see the same load
    (timed one series after the other, the same computation differed by a third)."""
    ours(), reference()  # warm-up
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(max(repeat, 2) * 2):
        for func, out in ((ours, times[0]), (reference, times[1])):
            started = time.perf_counter()
            func()
            out.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def _language_spec(key: str):
    program = strategy_compile(builtin_source(key))
    return program_spec(program, key=f"language-{key}", name=key)


def bench_language(bars: int, repeat: int) -> list[dict]:
    candles = tiled_candles(bars)
    context = {"1h": None, "4h": None}
    size = f"{bars:,} 5m bars"
    config = BacktestConfig(stop_loss=0.015, take_profit=0.03)
    records = []
    for key in ("ema-cross", "hma-sma"):
        builtin, language = strategy_spec(key), _language_spec(key)
        params = builtin.defaults()

        def signals(spec, params=params) -> Callable[[], object]:
            def run() -> object:
                fresh = CandleArrays(  # a new instance each time: no cached row matrix
                    candles.open_time,
                    candles.open,
                    candles.high,
                    candles.low,
                    candles.close,
                    candles.volume,
                )
                return spec.compute(fresh, context, params)

            return run

        def backtest(spec) -> Callable[[], object]:
            return lambda: backtest_strategy(spec, candles, context, None, config)

        for what, timed in (("signals", signals), ("whole backtest", backtest)):
            ours, reference = _paired_medians_ms(timed(language), timed(builtin), repeat)
            records.append(
                _record(f"language {key}: {what} (ref. the built-in)", size, ours, "ms", reference)
            )
    compile_ms = median_ms(lambda: strategy_compile(THIRTY_LINES), repeat)
    records.append(_record("language: compile a 30-line strategy", "30 lines", compile_ms, "ms"))
    ten = program_spec(strategy_compile(TEN_INDICATORS), key="language-ten", name="ten")
    ten_ms = median_ms(lambda: ten.compute(candles, {}, ten.defaults()), repeat)
    records.append(_record("language: a strategy of 10 indicators, signals", size, ten_ms, "ms"))
    return records
