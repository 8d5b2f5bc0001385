"""Indicator results reused while a study's memo is active (apps/strategies/memo.py)."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.simulator import simulate_rows
from apps.strategies import indicators
from apps.strategies.language.compiler import strategy_compile
from apps.strategies.language.plan import plan_run
from apps.strategies.memo import IndicatorMemo

SOURCE = """
param fast = 12 in 5..50
param slow = 26 in 10..200
trend = tf("1h", hma(close, 20))
long_entry  = crosses_above(ema(close, fast), ema(close, slow)) and close > trend
long_exit   = crosses_below(ema(close, fast), ema(close, slow))
short_entry = crosses_below(ema(close, fast), ema(close, slow)) and rsi(close, 14) < 50
short_exit  = crosses_above(ema(close, fast), ema(close, slow))
"""


@pytest.fixture(scope="module")
def candles() -> CandleArrays:
    rows = simulate_rows(timeframe="5m", count=4_000, end_ms=1_700_000_000_000)
    return CandleArrays.from_rows(rows)


def test_the_same_array_and_period_give_the_same_read_only_result(candles):
    memo = IndicatorMemo(max_bytes=2**30)
    with memo.active():
        first = indicators.sma(candles.close, 50)
        again = indicators.sma(candles.close, 50)
        other = indicators.sma(candles.close, 51)
    assert again is first and (memo.hits, memo.misses) == (1, 2)
    np.testing.assert_array_equal(first, indicators.sma(candles.close, 50))  # as computed alone
    assert other is not first
    with pytest.raises(ValueError, match="read-only"):
        first[-1] = 0.0  # no trial can change what the next one reads
    assert indicators.sma(candles.close, 50).flags.writeable  # no memo active: a fresh array


def test_equal_contents_in_another_array_or_another_argument_type_are_computed_again(candles):
    memo = IndicatorMemo(max_bytes=2**30)
    with memo.active():
        indicators.ema(candles.close, 10)
        indicators.ema(candles.close.copy(), 10)  # the same values, another array
        with pytest.raises(ValueError):
            indicators.ema(candles.close, True)  # not the int 1's entry: refused as it should be
    assert (memo.hits, memo.misses) == (0, 2)


def test_an_identity_is_never_reused_while_its_entry_lives(candles):
    """Temporaries come and go; the memo holds its entries' arrays, so a new array never takes
    the identity of one it remembers and gets another array's result."""
    memo = IndicatorMemo(max_bytes=2**30)
    with memo.active():
        for shift in range(50):
            values = candles.close + shift  # a new temporary each time, freed by the next
            np.testing.assert_array_equal(
                indicators.wma(values, 30), indicators.wma.__wrapped__(values, 30)
            )
            del values
            gc.collect()
    assert memo.hits == 0 and memo.misses == 50


def test_the_least_recently_used_results_go_past_the_budget(candles):
    one = candles.close.nbytes
    memo = IndicatorMemo(max_bytes=3 * one)
    with memo.active():
        for period in (10, 11, 12):
            indicators.sma(candles.close, period)
        indicators.sma(candles.close, 10)  # used again: now the most recent
        indicators.sma(candles.close, 13)  # over budget: 11, the least recent, goes
        assert memo.size_bytes <= 3 * one
        indicators.sma(candles.close, 10)
        indicators.sma(candles.close, 12)
        assert memo.hits == 3
        indicators.sma(candles.close, 11)  # computed again
    assert memo.misses == 5


def test_a_user_strategy_reuses_its_indicators_and_gets_the_same_signals(candles):
    plan = strategy_compile(SOURCE).plan
    params = {"fast": 12, "slow": 26}
    alone = plan_run(plan, candles, {}, params)
    memo = IndicatorMemo(max_bytes=2**30)
    with memo.active():
        plan_run(plan, candles, {}, params)
        assert memo.hits == 0
        again = plan_run(plan, candles, {}, {**params, "fast": 13})
    assert memo.hits >= 3  # the 1h HMA, ema(close, slow) and the RSI: not of `fast`
    expected = plan_run(plan, candles, {}, {**params, "fast": 13})
    for name in ("long_entry", "short_entry", "long_exit", "short_exit"):
        np.testing.assert_array_equal(getattr(again, name), getattr(expected, name))
    assert alone.long_entry.any() and alone.short_entry.any()
