"""Tests of apps.strategies.indicators: TA-Lib parity on real candles, long-series stability,
properties (hypothesis), NaN rules and argument checking. No Django needed."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import talib
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from apps.strategies import indicators as ind

DATA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data"
BTC_5M = "binance_BTC-USDT_5m.csv.gz"  # 71,769 candles around 40k-70k
CANDLE_FILES = [
    BTC_5M,
    "bittrex_NXT-BTC_5m.csv.gz",  # prices around 3e-5
    "binance_SOL-USDT_1h.csv.gz",
    "binance_XRP-ETH_1m.csv.gz",
    "binance_BTC-USDT_1d.csv.gz",  # 249 candles: period 200 leaves only 50 values
]
PERIODS = [2, 3, 14, 50, 200]

Indicator = Callable[[np.ndarray, int], np.ndarray]
INDICATORS: dict[str, tuple[Indicator, Callable[[int], int], int]] = {
    # name: (function, warm-up helper, smallest period)
    "sma": (ind.sma, ind.sma_warmup, 1),
    "wma": (ind.wma, ind.wma_warmup, 1),
    "ema": (ind.ema, ind.ema_warmup, 1),
    "hma": (ind.hma, ind.hma_warmup, 2),
}
HYPOTHESIS = settings(max_examples=60, deadline=None)


@functools.cache
def closes(name: str) -> np.ndarray:
    """Close prices of one real candle file (read-only, so a test cannot change the cache)."""
    frame = pd.read_csv(DATA_DIR / name, usecols=["close"], dtype={"close": np.float64})
    values = frame["close"].to_numpy(copy=True)
    values.flags.writeable = False
    return values


def assert_rel_close(actual: np.ndarray, expected: np.ndarray, rtol: float) -> None:
    """Same NaN positions, and every other value within `rtol` relative error."""
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg="NaN positions")
    both = ~np.isnan(expected)
    rel = np.abs(actual[both] - expected[both]) / np.abs(expected[both])
    assert rel.size == 0 or rel.max() <= rtol, f"max relative error {rel.max():.3e} > {rtol}"


def leading_nans(values: np.ndarray) -> int:
    finite = ~np.isnan(values)
    return int(np.argmax(finite)) if finite.any() else values.size


# --- straightforward references (per-window loops: slow but obviously right) ------------------


def naive_sma(x: np.ndarray, n: int) -> np.ndarray:
    out = np.full(x.size, np.nan)
    for t in range(n - 1, x.size):
        window = x[t - n + 1 : t + 1]
        if np.isfinite(window).all():
            out[t] = math.fsum(window) / n
    return out


def naive_wma(x: np.ndarray, n: int) -> np.ndarray:
    weights = np.arange(1, n + 1, dtype=np.float64)
    out = np.full(x.size, np.nan)
    for t in range(n - 1, x.size):
        window = x[t - n + 1 : t + 1]
        if np.isfinite(window).all():
            out[t] = math.fsum(weights * window) / (n * (n + 1) / 2)
    return out


def naive_hma(x: np.ndarray, n: int) -> np.ndarray:
    return naive_wma(2 * naive_wma(x, n // 2) - naive_wma(x, n), math.isqrt(n))


def naive_ema(x: np.ndarray, n: int) -> np.ndarray:
    """Bar-by-bar EMA with the module's rule: missing bars are skipped, output NaN there."""
    out = np.full(x.size, np.nan)
    alpha, seen, state = 2 / (n + 1), [], math.nan
    for t, value in enumerate(x):
        if not np.isfinite(value):
            continue
        seen.append(value)
        if len(seen) == n:
            state = math.fsum(seen) / n
        elif len(seen) > n:
            state += alpha * (value - state)
        out[t] = state
    return out


NAIVE = {"sma": naive_sma, "wma": naive_wma, "ema": naive_ema, "hma": naive_hma}


def exact_wma_at(x: np.ndarray, n: int, t: int) -> float:
    """WMA(n)[t] with an exactly summed numerator (correctly rounded, then divided once).

    Each value is split into two halves of <= 26 significant bits (Veltkamp), so every product
    weight * half is exact in float64 and math.fsum adds them exactly.
    """
    window = x[t - n + 1 : t + 1]
    scaled = window * 134217729.0  # 2**27 + 1
    high = scaled - (scaled - window)
    low = window - high
    weights = np.arange(1, n + 1, dtype=np.float64)
    return math.fsum(np.concatenate((weights * high, weights * low))) / (n * (n + 1) / 2)


# --- TA-Lib parity on real candles ----------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("name", CANDLE_FILES)
@pytest.mark.parametrize(
    ("ours", "theirs"), [(ind.sma, talib.SMA), (ind.wma, talib.WMA), (ind.ema, talib.EMA)]
)
def test_matches_talib_on_real_closes(ours, theirs, name: str, period: int) -> None:
    x = closes(name)
    assert_rel_close(ours(x, period), theirs(x, timeperiod=period), rtol=1e-9)


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("name", CANDLE_FILES)
def test_hma_matches_composition_of_talib_wmas(name: str, period: int) -> None:
    x = closes(name)
    inner = 2 * talib.WMA(x, timeperiod=period // 2) - talib.WMA(x, timeperiod=period)
    root = math.isqrt(period)
    expected = inner if root == 1 else talib.WMA(inner, timeperiod=root)
    assert_rel_close(ind.hma(x, period), expected, rtol=1e-9)


@pytest.mark.parametrize(
    ("ours", "theirs"), [(ind.sma, talib.SMA), (ind.wma, talib.WMA), (ind.ema, talib.EMA)]
)
def test_leading_nans_are_skipped_like_talib(ours, theirs) -> None:
    x = np.concatenate((np.full(7, np.nan), closes(BTC_5M)[:5000]))
    for period in (2, 14, 200):
        result = ours(x, period)
        assert leading_nans(result) == 7 + period - 1
        assert_rel_close(result, theirs(x, timeperiod=period), rtol=1e-9)


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("name", sorted(INDICATORS))
def test_warmup_helpers_count_the_leading_nans(name: str, period: int) -> None:
    function, warmup, _ = INDICATORS[name]
    result = function(closes(BTC_5M), period)
    assert leading_nans(result) == warmup(period)
    assert np.isfinite(result[warmup(period) :]).all()


def test_hma_warmup_formula() -> None:
    assert [ind.hma_warmup(n) for n in (2, 3, 4, 9, 16, 200)] == [1, 2, 4, 10, 18, 212]


# --- numerical stability on long series -------------------------------------------------------


def long_series() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20240906)
    walk = 60_000 * np.exp(np.cumsum(rng.normal(0, 0.002, 1_000_000)))
    return {"tiled-btc-5m": np.resize(closes(BTC_5M), 1_000_000), "random-walk": walk}


def sample_positions(size: int, period: int) -> np.ndarray:
    rng = np.random.default_rng(period)
    spread = rng.integers(period - 1, size, 300)
    return np.unique(np.concatenate((spread, np.arange(size - 20, size))))


@pytest.mark.parametrize("period", [2, 14, 200, 1000])
def test_sma_wma_stay_exact_on_a_million_values(period: int) -> None:
    for label, x in long_series().items():
        positions = sample_positions(x.size, period)
        got_sma, got_wma = ind.sma(x, period)[positions], ind.wma(x, period)[positions]
        exact_sma = np.array([math.fsum(x[t - period + 1 : t + 1]) / period for t in positions])
        exact_wma = np.array([exact_wma_at(x, period, t) for t in positions])
        for got, exact, what in ((got_sma, exact_sma, "sma"), (got_wma, exact_wma, "wma")):
            worst = np.max(np.abs(got - exact) / np.abs(exact))
            assert worst <= 1e-12, f"{what}({period}) on {label}: relative error {worst:.2e}"


def test_the_stability_reference_catches_global_cumsum_drift() -> None:
    """The 1e-12 bound above has teeth: a plain global cumsum fails it."""
    x = long_series()["random-walk"]
    period = 14
    total = np.concatenate(([0.0], np.cumsum(x)))
    naive = (total[period:] - total[:-period]) / period  # naive[t - period + 1] is SMA at t
    positions = sample_positions(x.size, period)
    exact = np.array([math.fsum(x[t - period + 1 : t + 1]) / period for t in positions])
    assert np.max(np.abs(naive[positions - period + 1] - exact) / exact) > 1e-12


def test_ema_stays_close_to_talib_on_a_million_values() -> None:
    for x in long_series().values():
        for period in (2, 200):
            assert_rel_close(ind.ema(x, period), talib.EMA(x, timeperiod=period), rtol=1e-12)


@pytest.mark.parametrize("chunk", [1, 7, 100])
def test_results_do_not_depend_on_the_chunk_size(monkeypatch, chunk: int) -> None:
    x = np.array(closes("bittrex_NXT-BTC_5m.csv.gz")[:3000])
    x[[0, 5, 700, 701, 2999]] = np.nan
    for name in ("sma", "wma", "hma", "ema"):
        function = INDICATORS[name][0]
        expected = function(x, 20)
        monkeypatch.setattr(ind, "_CHUNK", chunk)
        got = function(x, 20)
        monkeypatch.undo()
        assert_rel_close(got, expected, rtol=1e-13)
        assert_rel_close(got, NAIVE[name](x, 20), rtol=1e-12)


# --- properties -------------------------------------------------------------------------------

finite_values = arrays(
    np.float64,
    st.integers(0, 300),
    elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


@st.composite
def series_with_gaps(draw: st.DrawFn) -> np.ndarray:
    """Finite values with a few NaN or inf holes (possibly leading, trailing or adjacent)."""
    x = draw(finite_values)
    if x.size:
        holes = draw(st.lists(st.integers(0, x.size - 1), max_size=4))
        x[holes] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return x


@st.composite
def indicator_and_period(draw: st.DrawFn) -> tuple[str, int]:
    name = draw(st.sampled_from(sorted(INDICATORS)))
    return name, draw(st.integers(INDICATORS[name][2], 40))


@HYPOTHESIS
@given(finite_values, indicator_and_period())
def test_shape_dtype_warmup_and_input_untouched(x: np.ndarray, case: tuple[str, int]) -> None:
    name, period = case
    function, warmup, _ = INDICATORS[name]
    original = x.copy()
    x.flags.writeable = False  # any write into the input would raise
    result = function(x, period)
    np.testing.assert_array_equal(x, original)
    assert result.shape == x.shape and result.dtype == np.float64
    assert leading_nans(result) == min(warmup(period), x.size)
    assert np.isfinite(result[warmup(period) :]).all()


@HYPOTHESIS
@given(series_with_gaps(), indicator_and_period())
def test_matches_the_per_window_reference(x: np.ndarray, case: tuple[str, int]) -> None:
    name, period = case
    result = INDICATORS[name][0](x, period)
    expected = NAIVE[name](x, period)
    np.testing.assert_array_equal(np.isnan(result), np.isnan(expected))
    scale = max(1.0, float(np.max(np.abs(x[np.isfinite(x)]), initial=0.0)))
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-9 * scale)


@HYPOTHESIS
@given(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.integers(1, 300),
    indicator_and_period(),
)
def test_constant_input_gives_the_constant(value: float, size: int, case) -> None:
    name, period = case
    function, warmup, _ = INDICATORS[name]
    result = function(np.full(size, value), period)[warmup(period) :]
    np.testing.assert_allclose(result, value, rtol=1e-12, atol=1e-300)


line_coefficients = st.tuples(
    st.floats(-1e4, 1e4, allow_nan=False), st.floats(-100, 100, allow_nan=False)
)


@HYPOTHESIS
@given(line_coefficients, st.integers(1, 400), st.integers(1, 60))
def test_moving_averages_of_a_line_lag_by_their_known_delay(coeffs, size: int, n: int) -> None:
    """On x = a + b*t: SMA and EMA lag by (n-1)/2 bars, WMA by (n-1)/3 bars."""
    a, b = coeffs
    t = np.arange(size, dtype=np.float64)
    x = a + b * t
    tolerance = 1e-9 * (abs(a) + abs(b) * size + 1)
    for function, delay in ((ind.sma, (n - 1) / 2), (ind.ema, (n - 1) / 2), (ind.wma, (n - 1) / 3)):
        result = function(x, n)[n - 1 :]
        np.testing.assert_allclose(result, a + b * (t[n - 1 :] - delay), rtol=0, atol=tolerance)


@HYPOTHESIS
@given(line_coefficients, st.integers(1, 400), st.integers(2, 200))
def test_hma_of_a_line_is_the_line_up_to_a_fraction_of_a_bar(coeffs, size: int, n: int) -> None:
    """HMA is lag-free on lines up to integer rounding of its periods.

    WMA(k) lags by (k-1)/3, so with m = isqrt(n) the exact lag of HMA(n) on a line is
    (m - 2 - n % 2) / 3 bars: -1/3 for n = 2, 0 for n = 4, 4 bars for n = 200 (WMA(200): 66.3).
    """
    a, b = coeffs
    t = np.arange(size, dtype=np.float64)
    lag = (math.isqrt(n) - 2 - n % 2) / 3
    start = ind.hma_warmup(n)
    result = ind.hma(a + b * t, n)[start:]
    tolerance = 1e-9 * (abs(a) + abs(b) * size + 1)
    np.testing.assert_allclose(result, a + b * (t[start:] - lag), rtol=0, atol=tolerance)


# --- NaN rules --------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("function", [ind.sma, ind.wma, ind.hma])
def test_interior_missing_value_blanks_exactly_its_windows(function, missing: float) -> None:
    period, hole = 10, 50
    span = period if function is not ind.hma else period + math.isqrt(period) - 1
    clean = np.array(closes(BTC_5M)[:200])
    x = clean.copy()
    x[hole] = missing
    result, reference = function(x, period), function(clean, period)
    blanked = np.flatnonzero(np.isnan(result) & ~np.isnan(reference))
    np.testing.assert_array_equal(blanked, np.arange(hole, hole + span))
    recovered = np.arange(hole + span, x.size)
    np.testing.assert_allclose(result[recovered], reference[recovered], rtol=1e-13)
    np.testing.assert_allclose(result[:hole], reference[:hole], rtol=1e-13)


def test_ema_skips_missing_bars() -> None:
    clean = np.array(closes(BTC_5M)[:300])
    x = clean.copy()
    holes = [0, 1, 100, 150, 151]
    x[holes] = [np.nan, np.nan, np.nan, np.inf, np.nan]
    result = ind.ema(x, 20)
    kept = np.setdiff1d(np.arange(x.size), holes)
    assert np.isnan(result[holes]).all()
    # Same as the EMA of the series with the missing bars removed, and as TA-Lib on it.
    assert_rel_close(result[kept], ind.ema(clean[kept], 20), rtol=0)
    assert_rel_close(result[kept], talib.EMA(clean[kept], timeperiod=20), rtol=1e-9)


@pytest.mark.parametrize("name", sorted(INDICATORS))
def test_all_missing_input_gives_all_nan(name: str) -> None:
    result = INDICATORS[name][0](np.array([np.nan, np.inf, np.nan, np.nan, -np.inf]), 2)
    assert result.shape == (5,) and np.isnan(result).all()


def test_rising_and_falling() -> None:
    x = np.array([1.0, 2.0, 2.0, np.nan, 3.0, 1.0, 4.0])
    np.testing.assert_array_equal(ind.rising(x), [False, True, False, False, False, False, True])
    np.testing.assert_array_equal(ind.falling(x), [False, False, False, False, False, True, False])
    assert ind.rising(np.array([])).shape == (0,)
    assert ind.falling([5.0]).tolist() == [False]


# --- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize("period", [0, -3, 2.5, 14.0, np.float64(3), "14", None, True])
@pytest.mark.parametrize("name", sorted(INDICATORS))
def test_invalid_period_raises_value_error(name: str, period: object) -> None:
    function, warmup, _ = INDICATORS[name]
    with pytest.raises(ValueError, match="period"):
        function(np.arange(10.0), period)
    with pytest.raises(ValueError, match="period"):
        warmup(period)


def test_hma_needs_period_two() -> None:
    with pytest.raises(ValueError, match="period must be >= 2"):
        ind.hma(np.arange(10.0), 1)
    with pytest.raises(ValueError, match="period must be >= 2"):
        ind.hma_warmup(1)


@pytest.mark.parametrize("name", sorted(INDICATORS))
def test_empty_short_and_list_inputs(name: str) -> None:
    function = INDICATORS[name][0]
    empty = function(np.array([]), 3)
    assert empty.shape == (0,) and empty.dtype == np.float64
    assert np.isnan(function(np.arange(5.0), 6)).all()
    np.testing.assert_allclose(function([7, 7, 7, 7], 2)[-1], 7.0)
    with pytest.raises(ValueError, match="1-D"):
        function(np.ones((3, 3)), 2)


def test_numpy_integer_period_is_accepted() -> None:
    x = closes(BTC_5M)[:500]
    np.testing.assert_array_equal(ind.sma(x, np.int64(14)), ind.sma(x, 14))


@pytest.mark.parametrize("period", [2, 14, 200])
@pytest.mark.parametrize("name", sorted(INDICATORS))
def test_appending_values_never_changes_a_past_value(name: str, period: int) -> None:
    # No lookahead, bit for bit: every prefix gives exactly the first values of the whole.
    whole_input = closes("binance_BTC-USDT_5m.csv.gz")[:20_000]
    whole = INDICATORS[name][0](whole_input, period)
    for cut in (period, 257, 1001, 4_099, 12_345, 19_999):
        function = INDICATORS[name][0]
        np.testing.assert_array_equal(function(whole_input[:cut], period), whole[:cut])
