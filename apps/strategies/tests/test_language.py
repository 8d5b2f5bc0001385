"""The strategy language: grammar, checks, errors with their place, limits, the plan's results."""

from __future__ import annotations

import numpy as np
import pytest

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.simulator import simulate_rows
from apps.strategies import indicators, ta
from apps.strategies.language.compiler import (
    MAX_DEPTH,
    MAX_LOOKBACK,
    MAX_SOURCE_CHARS,
    strategy_compile,
)
from apps.strategies.language.errors import LanguageError
from apps.strategies.language.plan import plan_lookback, plan_run
from apps.strategies.language.spec import program_spec
from apps.strategies.registry import InvalidParameters
from apps.strategies.signals import align_closed, close_times, higher_timeframe_candles


@pytest.fixture(scope="module")
def candles() -> CandleArrays:
    return CandleArrays.from_rows(
        simulate_rows(timeframe="5m", count=6_000, end_ms=1_700_000_000_000)
    )


def run(source: str, candles: CandleArrays, **params):
    program = strategy_compile(source)
    values = {p.name: p.default for p in program.params} | params
    return plan_run(program.plan, candles, {}, values)


def error_of(source: str):
    with pytest.raises(LanguageError) as caught:
        strategy_compile(source)
    return caught.value.errors[0]


# --- Parsing and checking ----------------------------------------------------------------


def test_the_issue_example_compiles_with_its_schema():
    program = strategy_compile(
        """
        param fast = 12 in 5..50      # fast EMA
        param slow = 26 in 10..200
        trend = tf("4h", hma(close, 200))
        long_entry  = crosses_above(ema(close, fast), ema(close, slow)) and close > trend
        long_exit   = crosses_below(ema(close, fast), ema(close, slow))
        short_entry = crosses_below(ema(close, fast), ema(close, slow)) and close < trend
        short_exit  = crosses_above(ema(close, fast), ema(close, slow))
        stop_loss = 2%   take_profit = 4%
        """
    )
    schema = program.schema()
    assert schema["params"][0] == {
        "name": "fast",
        "type": "integer",
        "default": 12,
        "minimum": 5,
        "maximum": 50,
        "description": "fast EMA",
    }
    assert schema["base_timeframe"] == "5m"
    assert schema["context_timeframes"] == ["4h"]
    assert schema["stops"] == {"stop_loss": 0.02, "take_profit": 0.04}
    # ema(close, 26) settles in 5 x 26 bars, +1 for the cross; the 4h HMA needs its own
    # warm-up plus the candle in progress.
    assert schema["warmup"] == {"base": 130, "context": {"4h": indicators.hma_warmup(200) + 1}}


def test_a_shared_sub_expression_is_one_step():
    program = strategy_compile(
        "a = ema(close, 20) > sma(close, 5)\nb = ema(close, 20) < sma(close, 5)\n"
        "long_entry = a and b"
    )
    calls = [s for s in program.plan.steps if s.op == "call"]
    assert sorted(s.value for s in calls) == ["ema", "sma"]


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        ("long_entry = rsi(14) > 70", 1, 14, "rsi() takes a series and a period; got a number"),
        ("x = close\nlong_entry = y > 1", 2, 14, "y is not defined"),
        ("long_entry = shift(close, -1) > close", 1, 27, "looks back only"),
        ("long_entry = close > sma(close, 0)", 1, 33, "at least 1"),
        ("long_entry = close > smaa(close, 5)", 1, 22, "did you mean sma()?"),
        ("long_entry = close + 1", 1, 14, "must be a true/false condition"),
        ("long_entry = close > 1 and close", 1, 28, "needs true/false conditions"),
        ("long_entry = macd(close, 12, 26, 9) > 0", 1, 14, "pick one of its lines"),
        ("long_entry = macd(close, 12, 26, 9).foo > 0", 1, 37, "gives line, signal and hist"),
        ('long_entry = tf("1h", tf("4h", close)) > 0', 1, 23, "cannot be nested"),
        ('timeframe = "1h"\nlong_entry = tf("15m", close) > close', 2, 17, "above the strategy"),
        ('long_entry = tf("2h", close) > close', 1, 17, "'2h' is not a timeframe"),
        ("param n = 5 in 1..3\nlong_entry = close > 1", 1, 1, "default 5 is not in 1..3"),
        ("param n = 2 in 1..9\nlong_entry = close > hma(close, n)", 2, 33, "param n can be 1"),
        ("param k = 2.5 in 1..9\nlong_entry = close > sma(close, k)", 2, 33, "whole-number"),
        ("long_entry = close > 1\nlong_entry = close < 1", 2, 1, "already defined on line 1"),
        ("sma = close\nlong_entry = sma > 1", 1, 1, "sma is a function"),
        ("long_entry = 1 > 2", 1, 14, "compares two numbers"),
        ("long_entry = close > 1\nstop_loss = 200%", 2, 13, "stop_loss must be"),
        ("long_entry = close >", 1, 20, "ends in the middle"),
        ("long_entry = close > 1 @", 1, 24, "unexpected character '@'"),
        ("long_entry = close = 1", 1, 20, "write '=='"),
        ("x = sma(close, 5)", 1, 1, "needs long_entry or short_entry"),
    ],
)
def test_an_error_says_where_and_why(source, line, column, message):
    error = error_of(source)
    assert (error.line, error.column) == (line, column), str(error)
    assert message in error.message
    assert error.end_line >= error.line and error.end_column > 0


def test_limits_are_named():
    assert "limit is" in error_of("#" * (MAX_SOURCE_CHARS + 1)).message
    deep = "long_entry = " + "(" * (MAX_DEPTH + 5) + "close" + " * 2)" * (MAX_DEPTH + 5) + " > 1"
    assert "nested more than" in error_of(deep).message
    nots = "long_entry = " + "not " * 3_000 + "close > 1"
    assert "nested more than" in error_of(nots).message
    long = f"param n = 10 in 2..{MAX_LOOKBACK * 2}\nlong_entry = close > sma(close, n)"
    error = error_of(long)
    assert f"the limit is {MAX_LOOKBACK:,}" in error.message and error.line == 2
    many = "".join(f"x{i} = sma(close, {i + 2})\n" for i in range(600)) + "long_entry = x1 > 1"
    assert "the limit is 200" in error_of(many).message
    heavy = (
        "".join(f"s{i} = supertrend({i + 2}, 3).line\n" for i in range(4)) + "long_entry = s1 > 1"
    )
    assert "units of work per bar" in error_of(heavy).message


def test_text_is_never_executed():
    # Python in the text is a syntax error, never run.
    for text in (
        "long_entry = __import__('os').system('true')",
        "long_entry = close.__class__ > 1",
        "long_entry = (lambda: 1)() > 0",
        "import os",
    ):
        with pytest.raises(LanguageError):
            strategy_compile(text)


# --- What a plan computes ------------------------------------------------------------------


def test_arithmetic_comparisons_and_logic(candles):
    result = run(
        "mid = (high + low) / 2\nspread = high - low\n"
        "long_entry = close > mid and not (spread > 100) or close == high",
        candles,
    )
    mid, spread = (candles.high + candles.low) / 2, candles.high - candles.low
    expected = ((candles.close > mid) & ~(spread > 100)) | (candles.close == candles.high)
    np.testing.assert_array_equal(result.long_entry, expected)
    np.testing.assert_array_equal(result.long_setup, expected)
    np.testing.assert_allclose(result.indicators["mid"], mid)
    assert not result.short_entry.any() and not result.long_exit.any()


def test_division_by_zero_is_undefined_not_infinite(candles):
    result = run("x = close / (high - high)\nlong_entry = x > 0", candles)
    assert np.isnan(result.indicators["x"]).all()
    assert not result.long_entry.any()


def test_an_entry_defaults_to_where_its_setup_starts(candles):
    result = run("long_setup = close > sma(close, 20)", candles)
    setup = candles.close > indicators.sma(candles.close, 20)
    np.testing.assert_array_equal(result.long_entry, setup & ~np.r_[False, setup[:-1]])


def test_crosses_shift_change_highest_lowest(candles):
    close = candles.close
    result = run(
        "a = shift(close, 3)\nb = change(close, 2)\nc = highest(high, 10)\nd = lowest(low, 10)\n"
        "long_entry = crosses_above(close, a)\nshort_entry = crosses_below(close, 30000)",
        candles,
    )
    np.testing.assert_array_equal(result.indicators["a"][3:], close[:-3])
    assert np.isnan(result.indicators["a"][:3]).all()
    np.testing.assert_allclose(result.indicators["b"][2:], close[2:] - close[:-2])
    np.testing.assert_allclose(result.indicators["c"], ta.highest(candles.high, 10), equal_nan=True)
    np.testing.assert_allclose(result.indicators["d"], ta.lowest(candles.low, 10), equal_nan=True)
    above = close > result.indicators["a"]
    np.testing.assert_array_equal(result.long_entry, above & ~np.r_[False, above[:-1]])
    below = close < 30000
    np.testing.assert_array_equal(result.short_entry, below & ~np.r_[False, below[:-1]])


def test_multi_output_indicators_pick_their_lines(candles):
    result = run(
        "m = macd(close, 12, 26, 9).hist\nu = bollinger(close, 20, 2).upper\n"
        "k = stochastic(14, 3, 3).d\nlong_entry = m > 0 and close < u",
        candles,
    )
    np.testing.assert_allclose(
        result.indicators["m"], ta.macd(candles.close, 12, 26, 9).hist, equal_nan=True
    )
    np.testing.assert_allclose(
        result.indicators["u"], ta.bollinger(candles.close, 20, 2.0).upper, equal_nan=True
    )
    np.testing.assert_allclose(
        result.indicators["k"],
        ta.stochastic(candles.high, candles.low, candles.close, 14, 3, 3).d,
        equal_nan=True,
    )


def test_every_function_runs_through_the_language(candles):
    source = "\n".join(
        [
            "a1 = sma(close, 10)",
            "a2 = ema(close, 10)",
            "a3 = wma(close, 10)",
            "a4 = hma(close, 10)",
            "a5 = dema(close, 10)",
            "a6 = tema(close, 10)",
            "a7 = rsi(close, 14)",
            "a8 = macd(close, 12, 26, 9).signal",
            "a9 = bollinger(close, 20, 2).lower",
            "b1 = atr(14)",
            "b2 = adx(14)",
            "b3 = stochastic(14, 3, 3).k",
            "b4 = cci(20)",
            "b5 = mfi(14)",
            "b6 = obv()",
            "b7 = roc(close, 10)",
            "b8 = williams_r(14)",
            "b9 = vwap()",
            "c1 = donchian(20).middle",
            "c2 = keltner(20, 2, 10).upper",
            "c3 = supertrend(10, 3).line",
            "c4 = abs(change(close, 1))",
            "c5 = min(open, close)",
            "c6 = max(open, close)",
            "long_entry = rising(a1) and falling(a2) or crosses_above(a7, 70)",
        ]
    )
    result = run(source, candles)
    h, lo, c, v = candles.high, candles.low, candles.close, candles.volume
    expected = {
        "a5": ta.dema(c, 10),
        "a7": ta.rsi(c, 14),
        "b1": ta.atr(h, lo, c, 14),
        "b2": ta.adx(h, lo, c, 14),
        "b4": ta.cci(h, lo, c, 20),
        "b5": ta.mfi(h, lo, c, v, 14),
        "b6": ta.obv(c, v),
        "b8": ta.williams_r(h, lo, c, 14),
        "b9": ta.vwap(candles.open_time, h, lo, c, v),
        "c1": ta.donchian(h, lo, 20).middle,
        "c2": ta.keltner(h, lo, c, 20, 2.0, 10).upper,
        "c3": ta.supertrend(h, lo, c, 10, 3.0).line,
        "c5": np.minimum(candles.open, c),
    }
    for name, values in expected.items():
        np.testing.assert_allclose(result.indicators[name], values, equal_nan=True, err_msg=name)


def test_tf_sees_only_closed_higher_candles(candles):
    source = 'h = tf("1h", sma(close, 3))\nlong_entry = close > h'
    program = strategy_compile(source)
    result = plan_run(program.plan, candles, {}, {})
    hourly, _ = higher_timeframe_candles(candles, "5m", "1h", None)
    expected = align_closed(
        close_times(hourly, "1h"), indicators.sma(hourly.close, 3), close_times(candles, "5m")
    )
    np.testing.assert_allclose(result.indicators["h"], expected, equal_nan=True)
    # A base bar closing inside an hour sees the hour before: the value changes only on the
    # bars that close an hour.
    changes = np.flatnonzero(np.diff(np.nan_to_num(result.indicators["h"])) != 0) + 1
    closes = close_times(candles, "5m")[changes]
    assert (closes % 3_600_000 == 0).all()


def test_a_name_used_inside_tf_is_computed_on_that_timeframe(candles):
    with_name = run('fast = ema(close, 5)\nh = tf("1h", fast)\nlong_entry = close > h', candles)
    written = run('h = tf("1h", ema(close, 5))\nlong_entry = close > h', candles)
    np.testing.assert_array_equal(with_name.indicators["h"], written.indicators["h"])


def test_warmup_follows_params(candles):
    program = strategy_compile(
        "param n = 20 in 2..300\nlong_entry = crosses_above(close, sma(close, n))"
    )
    assert plan_lookback(program.plan, {"n": 20}) == (20, {})
    assert plan_lookback(program.plan, {"n": 300}) == (300, {})


def test_the_spec_validates_params_and_cross_rules(candles):
    program = strategy_compile(
        "param f = 12 in 2..50\nparam s = 26 in 2..50\nlong_entry = macd(close, f, s, 9).hist > 0"
    )
    spec = program_spec(program, key="user-1-v1", name="t")
    assert spec.validate_params({"f": 5}) == {"f": 5, "s": 26}
    with pytest.raises(InvalidParameters) as caught:
        spec.validate_params({"f": 30, "s": 20})
    assert caught.value.errors == {"s": "macd() needs the fast period below the slow one"}
    with pytest.raises(InvalidParameters):
        spec.validate_params({"f": 500})
    with pytest.raises(InvalidParameters):
        spec.validate_params({"nope": 1})


def test_every_function_is_documented():
    from pathlib import Path

    from apps.strategies.language.functions import FUNCTIONS

    text = (Path(__file__).resolve().parents[3] / "docs/strategies/language.md").read_text()
    for function in FUNCTIONS.values():
        assert f"`{function.signature()}`" in text, function.name
