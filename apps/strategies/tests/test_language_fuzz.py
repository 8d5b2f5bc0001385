"""Fuzzing the strategy language: any text compiles or is refused with a LanguageError (never
another exception), and any program that compiles runs on candles without an error.

The bound on time is the test's timeout: a text that made the parser or the compiler hang
would fail it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.simulator import simulate_rows
from apps.strategies.language.compiler import strategy_compile
from apps.strategies.language.errors import LanguageError
from apps.strategies.language.functions import FIELDS, FUNCTIONS
from apps.strategies.language.plan import plan_run

pytestmark = pytest.mark.timeout(300)

CANDLES = CandleArrays.from_rows(
    simulate_rows(timeframe="5m", count=1_500, end_ms=1_700_000_000_000)
)
TOKENS = [
    *FUNCTIONS,
    *FIELDS,
    "tf",
    "param",
    "in",
    "and",
    "or",
    "not",
    "true",
    "false",
    "long_entry",
    "short_entry",
    "long_exit",
    "stop_loss",
    "timeframe",
    "x",
    "y",
    "0",
    "1",
    "14",
    "2.5",
    "-1",
    "3%",
    "99999999999999999999",
    '"1h"',
    '"4h"',
    '"5m"',
    "..",
    "=",
    "==",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "(",
    ")",
    ",",
    ".",
    ".line",
    ";",
    "\n",
    "#",
]
FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def compiles_or_refuses(text: str):
    try:
        return strategy_compile(text)
    except LanguageError as error:
        assert error.errors, text
        for e in error.errors:
            assert e.line >= 1 and e.column >= 1 and e.message, text
        return None


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_token_soup_compiles_or_is_refused(tokens):
    compiles_or_refuses(" ".join(tokens))


@FUZZ
@given(st.text(max_size=400))
def test_any_text_compiles_or_is_refused(text):
    compiles_or_refuses(text)


# Valid programs, built from the grammar: every one must run.

PERIODS = st.integers(min_value=2, max_value=60).map(str)
NUMBERS = st.sampled_from(["0", "1", "2.5", "100", "3%", "fast"])


def _call(series):
    def build(draw_args):
        name, args = draw_args
        return f"{name}({', '.join(args)})"

    simple = st.sampled_from(["sma", "ema", "wma", "hma", "dema", "tema", "rsi", "roc"])
    return st.one_of(
        st.tuples(simple, st.tuples(series, PERIODS)).map(build),
        st.tuples(
            st.sampled_from(["highest", "lowest", "shift", "change"]), st.tuples(series, PERIODS)
        ).map(build),
        st.sampled_from(
            [
                "atr(14)",
                "adx(14)",
                "cci(20)",
                "mfi(14)",
                "obv()",
                "williams_r(14)",
                "vwap()",
                "macd(close, 12, 26, 9).hist",
                "bollinger(close, 20, 2).upper",
                "stochastic(14, 3, 3).k",
                "donchian(20).lower",
                "keltner(20, 2, 10).middle",
                "supertrend(10, 3).direction",
            ]
        ),
    )


SERIES = st.recursive(
    st.sampled_from([*FIELDS, "fast_line"]),
    lambda inner: st.one_of(
        _call(inner),
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), st.one_of(inner, NUMBERS)).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        inner.map(lambda s: f"-{s}"),
        inner.map(lambda s: f'tf("1h", {s})' if "tf(" not in s and "fast_line" not in s else s),
    ),
    max_leaves=6,
)
CONDITIONS = st.recursive(
    st.one_of(
        st.tuples(
            SERIES, st.sampled_from(["<", ">", "<=", ">=", "==", "!="]), st.one_of(SERIES, NUMBERS)
        ).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(st.sampled_from(["crosses_above", "crosses_below"]), SERIES, SERIES).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        SERIES.map(lambda s: f"rising({s})"),
        st.sampled_from(["true", "false"]),
    ),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        inner.map(lambda c: f"not {c}"),
    ),
    max_leaves=4,
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
@given(entry=CONDITIONS, exit_=CONDITIONS)
def test_every_program_that_compiles_runs(entry, exit_):
    text = (
        "param fast = 10 in 2..40\nfast_line = ema(close, fast)\n"
        f"long_entry = {entry}\nlong_exit = {exit_}\nshort_entry = not ({entry})"
    )
    program = compiles_or_refuses(text)
    if program is None:
        return  # e.g. a comparison of two numbers: refused with its place
    params = {p.name: p.default for p in program.params}
    result = plan_run(program.plan, CANDLES, {}, params)
    for name in ("long_entry", "long_exit", "short_entry", "long_setup"):
        values = getattr(result, name)
        assert values.dtype == bool and len(values) == len(CANDLES), (name, text)
    for name, values in result.indicators.items():
        assert len(values) == len(CANDLES) and not np.isinf(values).any(), name
