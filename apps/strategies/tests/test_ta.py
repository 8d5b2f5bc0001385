"""Tests of apps.strategies.ta: TA-Lib wiring, the hand-written indicators (worked examples and
slow references on real candles), LOOKBACK settling on real BTC/USDT candles, argument checks,
no mutation of the inputs. No Django or database needed.

The candles come from the session fixtures of the root conftest: ``btc_5m_candles`` (Binance
BTC/USDT 5m, 2024-01-01 .. 2024-09-06, 71,769 bars) and ``btc_1h_candles`` (its complete hours,
5,980 bars). There is no 1h BTC file in ../shared/data; the 1h fixture aggregates the 5m one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
import talib

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.importers import candle_file_read
from apps.strategies import ta

FUNCTIONS = sorted(name for name in ta.__all__ if name.islower())

# Which candle columns each kind of indicator takes.
COLUMNS = {
    "x": ("close",),
    "hl": ("high", "low"),
    "hlc": ("high", "low", "close"),
    "hlcv": ("high", "low", "close", "volume"),
    "cv": ("close", "volume"),
    "thlcv": ("open_time", "high", "low", "close", "volume"),
}
INPUTS = {
    "dema": "x",
    "tema": "x",
    "rsi": "x",
    "macd": "x",
    "bollinger": "x",
    "atr": "hlc",
    "adx": "hlc",
    "cci": "hlc",
    "williams_r": "hlc",
    "mfi": "hlcv",
    "obv": "cv",
    "roc": "x",
    "stochastic": "hlc",
    "highest": "x",
    "lowest": "x",
    "vwap": "thlcv",
    "donchian": "hl",
    "keltner": "hlc",
    "supertrend": "hlc",
}
# (function, parameters): usual settings, plus short and long periods.
CASES = [
    ("dema", (2,)),
    ("dema", (9,)),
    ("dema", (50,)),
    ("tema", (2,)),
    ("tema", (9,)),
    ("tema", (50,)),
    ("rsi", (2,)),
    ("rsi", (14,)),
    ("rsi", (50,)),
    ("macd", (12, 26, 9)),
    ("macd", (5, 35, 5)),
    ("macd", (3, 10, 16)),
    ("bollinger", (20, 2.0)),
    ("bollinger", (5, 1.5)),
    ("atr", (1,)),
    ("atr", (14,)),
    ("atr", (50,)),
    ("adx", (5,)),
    ("adx", (14,)),
    ("adx", (30,)),
    ("cci", (20,)),
    ("williams_r", (14,)),
    ("mfi", (14,)),
    ("obv", ()),
    ("roc", (10,)),
    ("stochastic", (14, 3, 3)),
    ("stochastic", (5, 1, 4)),
    ("highest", (20,)),
    ("lowest", (20,)),
    ("vwap", ()),
    ("donchian", (20,)),
    ("keltner", (20, 2.0, 10)),
    ("keltner", (5, 1.5, 30)),
    ("supertrend", (10, 3.0)),
    ("supertrend", (7, 2.0)),
    ("supertrend", (3, 5.0)),
    ("supertrend", (14, 5.0)),
    ("supertrend", (1, 0.5)),
]
# Anchored indicators: their level depends on where the series or session starts (see below).
ANCHORED = {"obv", "vwap"}
# Window indicators: LOOKBACK is exactly their number of leading NaNs.
WINDOWED = {
    "bollinger",
    "cci",
    "williams_r",
    "mfi",
    "roc",
    "stochastic",
    "highest",
    "lowest",
    "donchian",
}


def case_id(case: tuple[str, tuple]) -> str:
    name, params = case
    return f"{name}{params}"


def arrays_of(candles: CandleArrays, name: str) -> tuple[np.ndarray, ...]:
    return tuple(getattr(candles, column) for column in COLUMNS[INPUTS[name]])


def outputs(result: np.ndarray | tuple) -> list[np.ndarray]:
    return list(result) if isinstance(result, tuple) else [result]


def run(name: str, arrays: tuple[np.ndarray, ...], params: tuple) -> list[np.ndarray]:
    return outputs(getattr(ta, name)(*arrays, *params))


def leading_nans(values: np.ndarray) -> int:
    finite = ~np.isnan(values)
    return int(np.argmax(finite)) if finite.any() else values.size


def assert_same(actual: np.ndarray, expected: np.ndarray) -> None:
    np.testing.assert_allclose(actual, expected, rtol=0, atol=0, equal_nan=True)


# --- TA-Lib backed: the same as calling TA-Lib directly (wiring, parameter and field order) ---

Call = Callable[[CandleArrays], object]
TALIB: dict[str, tuple[Call, Call]] = {
    "dema(30)": (
        lambda k: ta.dema(k.close, 30),
        lambda k: talib.DEMA(k.close, timeperiod=30),
    ),
    "tema(30)": (
        lambda k: ta.tema(k.close, 30),
        lambda k: talib.TEMA(k.close, timeperiod=30),
    ),
    "rsi(14)": (lambda k: ta.rsi(k.close, 14), lambda k: talib.RSI(k.close, timeperiod=14)),
    "macd(12, 26, 9)": (
        lambda k: ta.macd(k.close, 12, 26, 9),
        lambda k: talib.MACD(k.close, fastperiod=12, slowperiod=26, signalperiod=9),
    ),
    "macd(5, 35, 5)": (
        lambda k: ta.macd(k.close, 5, 35, 5),
        lambda k: talib.MACD(k.close, fastperiod=5, slowperiod=35, signalperiod=5),
    ),
    "bollinger(20, 2)": (
        lambda k: ta.bollinger(k.close, 20, 2),
        lambda k: talib.BBANDS(k.close, timeperiod=20, nbdevup=2, nbdevdn=2, matype=0),
    ),
    "bollinger(10, 1.5)": (
        lambda k: ta.bollinger(k.close, 10, 1.5),
        lambda k: talib.BBANDS(k.close, timeperiod=10, nbdevup=1.5, nbdevdn=1.5, matype=0),
    ),
    "atr(14)": (
        lambda k: ta.atr(k.high, k.low, k.close, 14),
        lambda k: talib.ATR(k.high, k.low, k.close, timeperiod=14),
    ),
    "adx(14)": (
        lambda k: ta.adx(k.high, k.low, k.close, 14),
        lambda k: talib.ADX(k.high, k.low, k.close, timeperiod=14),
    ),
    "cci(20)": (
        lambda k: ta.cci(k.high, k.low, k.close, 20),
        lambda k: talib.CCI(k.high, k.low, k.close, timeperiod=20),
    ),
    "williams_r(14)": (
        lambda k: ta.williams_r(k.high, k.low, k.close, 14),
        lambda k: talib.WILLR(k.high, k.low, k.close, timeperiod=14),
    ),
    "mfi(14)": (
        lambda k: ta.mfi(k.high, k.low, k.close, k.volume, 14),
        lambda k: talib.MFI(k.high, k.low, k.close, k.volume, timeperiod=14),
    ),
    "obv": (lambda k: ta.obv(k.close, k.volume), lambda k: talib.OBV(k.close, k.volume)),
    "roc(10)": (lambda k: ta.roc(k.close, 10), lambda k: talib.ROC(k.close, timeperiod=10)),
    "stochastic(14, 3, 5)": (
        lambda k: ta.stochastic(k.high, k.low, k.close, 14, 3, 5),
        lambda k: talib.STOCH(
            k.high,
            k.low,
            k.close,
            fastk_period=14,
            slowk_period=3,
            slowk_matype=0,
            slowd_period=5,
            slowd_matype=0,
        ),
    ),
    "highest(20)": (lambda k: ta.highest(k.high, 20), lambda k: talib.MAX(k.high, timeperiod=20)),
    "lowest(20)": (lambda k: ta.lowest(k.low, 20), lambda k: talib.MIN(k.low, timeperiod=20)),
}


@pytest.mark.parametrize("label", sorted(TALIB))
def test_talib_backed_functions_equal_talib(label: str, btc_1h_candles, btc_5m_candles) -> None:
    ours, theirs = TALIB[label]
    for candles in (btc_1h_candles, btc_5m_candles):
        got, expected = ours(candles), theirs(candles)
        if isinstance(expected, tuple):  # TA-Lib's output order is the NamedTuple's field order
            assert isinstance(got, tuple) and len(got) == len(expected)
        for actual, wanted in zip(outputs(got), outputs(expected), strict=True):
            assert actual.dtype == np.float64 and actual.shape == candles.close.shape
            assert_same(actual, wanted)


def test_multi_output_fields(btc_1h_candles) -> None:
    close = btc_1h_candles.close
    result = ta.macd(close, 12, 26, 9)
    assert isinstance(result, ta.Macd) and result._fields == ("line", "signal", "hist")
    np.testing.assert_allclose(result.hist, result.line - result.signal, equal_nan=True)
    bands = ta.bollinger(close, 20, 2.0)
    assert bands._fields == ("upper", "middle", "lower")
    assert np.nanmin(bands.upper - bands.lower) >= 0
    stoch = ta.stochastic(btc_1h_candles.high, btc_1h_candles.low, close, 14, 3, 3)
    assert stoch._fields == ("k", "d")
    assert ta.supertrend(btc_1h_candles.high, btc_1h_candles.low, close, 10, 3.0)._fields == (
        "line",
        "direction",
    )


# --- Hand-written: small worked examples, computed by hand ----------------------------------

NAN = math.nan


def test_highest_lowest_worked_example() -> None:
    x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    assert_same(ta.highest(x, 3), np.array([NAN, NAN, 4, 4, 5, 9, 9, 9]))
    assert_same(ta.lowest(x, 3), np.array([NAN, NAN, 1, 1, 1, 1, 2, 2]))
    assert_same(ta.highest(x, 8), np.array([NAN] * 7 + [9]))
    assert_same(ta.lowest(x, 9), np.full(8, NAN))  # longer than the series: all NaN


def test_donchian_worked_example() -> None:
    high = [10.0, 12.0, 11.0, 15.0, 13.0]
    low = [8.0, 9.0, 7.0, 12.0, 11.0]
    bands = ta.donchian(high, low, 2)
    assert_same(bands.upper, np.array([NAN, 12, 12, 15, 15]))
    assert_same(bands.lower, np.array([NAN, 8, 7, 7, 11]))
    assert_same(bands.middle, np.array([NAN, 10, 9.5, 11, 13]))


def test_keltner_worked_example() -> None:
    high = [10.0, 12.0, 11.0, 13.0, 14.0]
    low = [8.0, 9.0, 9.0, 10.0, 12.0]
    close = [9.0, 11.0, 10.0, 12.0, 13.0]
    # EMA(2), alpha 2/3, seeded with the mean of the first 2 closes: 10, 10, 34/3, 112/9.
    middle = np.array([NAN, 10, 10, 34 / 3, 112 / 9])
    # TR from bar 1: 3, 2, 3, 2. Wilder ATR(2): (3 + 2) / 2 = 2.5, (2.5 + 3) / 2, (2.75 + 2) / 2.
    atr = np.array([NAN, NAN, 2.5, 2.75, 2.375])
    bands = ta.keltner(high, low, close, 2, 2.0, 2)
    np.testing.assert_allclose(bands.middle, middle, rtol=1e-15, equal_nan=True)
    np.testing.assert_allclose(bands.upper, middle + 2 * atr, rtol=1e-15, equal_nan=True)
    np.testing.assert_allclose(bands.lower, middle - 2 * atr, rtol=1e-15, equal_nan=True)
    np.testing.assert_allclose(bands.upper[2:], [15, 101 / 6, 619 / 36], rtol=1e-15)


def test_vwap_worked_example() -> None:
    hour = 3_600_000
    midnight = 1_704_067_200_000  # 2024-01-01 00:00 UTC
    times = [midnight - 2 * hour, midnight - hour, midnight, midnight + hour, midnight + 2 * hour]
    high = [12.0, 13.0, 20.0, 22.0, 25.0]
    low = [6.0, 10.0, 16.0, 19.0, 20.0]
    close = [9.0, 13.0, 18.0, 22.0, 24.0]  # typical prices 9, 12 | 18, 21, 23
    volume = [2.0, 1.0, 0.0, 3.0, 1.0]
    # Dec 31: 9, (9*2 + 12*1) / 3 = 10. Jan 1 restarts: no volume yet -> NaN, 21, (63 + 23) / 4.
    assert_same(ta.vwap(times, high, low, close, volume), np.array([9, 10, NAN, 21, 21.5]))
    # Two bars of one day, a day without bars, then a session of one bar.
    day = 86_400_000
    got = ta.vwap(
        [0, day - 1, 3 * day], [2.0, 4.0, 6.0], [2.0, 4.0, 6.0], [2.0, 4.0, 6.0], [1, 3, 5]
    )
    assert_same(got, np.array([2, (2 + 12) / 4, 6]))


def test_supertrend_worked_example() -> None:
    # n = 1: ATR(1) is the true range. mult = 1: bands = hl2 +/- TR.
    high = [10.0, 11.0, 12.0, 14.0, 14.0, 13.0, 12.0]
    low = [8.0, 9.0, 10.0, 12.0, 12.5, 10.0, 10.0]
    close = [9.0, 10.0, 11.5, 13.5, 13.0, 10.5, 11.0]
    # bar | TR  | raw up / low | final up / low | direction, line
    # 0   | -   | -            | -              | NaN (warm-up)
    # 1   | 2   | 12 / 8       | 12 / 8         | -1 (TV starts in a downtrend), 12
    # 2   | 2   | 13 / 9       | 12 (held) / 9  | -1: close 11.5 <= 12, 12
    # 3   | 2.5 | 15.5 / 10.5  | 12 (held)/10.5 | +1: close 13.5 > 12, line = lower 10.5
    # 4   | 1.5 | 14.75 / 11.75| 14.75 (reset: previous close 13.5 > 12) / 11.75 | +1, 11.75
    # 5   | 3   | 14.5 / 8.5   | 14.5 / 11.75 (held) | -1: close 10.5 < 11.75, line = 14.5
    # 6   | 2   | 13 / 9       | 13 / 9 (reset: previous close 10.5 < 11.75) | -1, 13
    result = ta.supertrend(high, low, close, 1, 1.0)
    assert_same(result.line, np.array([NAN, 12, 12, 10.5, 11.75, 14.5, 13]))
    assert_same(result.direction, np.array([NAN, -1, -1, 1, 1, -1, -1]))


# --- Hand-written: slow references (plain loops) on real candles -----------------------------


def slow_highest(x: np.ndarray, n: int) -> np.ndarray:
    out = np.full(x.size, NAN)
    for t in range(n - 1, x.size):
        out[t] = max(x[t - n + 1 : t + 1].tolist())
    return out


def slow_lowest(x: np.ndarray, n: int) -> np.ndarray:
    out = np.full(x.size, NAN)
    for t in range(n - 1, x.size):
        out[t] = min(x[t - n + 1 : t + 1].tolist())
    return out


def slow_ema(x: np.ndarray, n: int) -> np.ndarray:
    out, alpha = np.full(x.size, NAN), 2 / (n + 1)
    if x.size >= n:
        out[n - 1] = state = math.fsum(x[:n]) / n
        for t in range(n, x.size):
            state += alpha * (x[t] - state)
            out[t] = state
    return out


def true_ranges(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> list[float]:
    ranges = [NAN]
    for t in range(1, close.size):
        previous = close[t - 1]
        ranges.append(max(high[t] - low[t], abs(high[t] - previous), abs(low[t] - previous)))
    return ranges


def slow_atr(high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int) -> np.ndarray:
    """Wilder: the mean of the first n true ranges (from bar 1), then (ATR*(n-1) + TR) / n."""
    ranges, out = true_ranges(high, low, close), np.full(close.size, NAN)
    if close.size > n:
        state = math.fsum(ranges[1 : n + 1]) / n
        out[n] = state
        for t in range(n + 1, close.size):
            state = (state * (n - 1) + ranges[t]) / n
            out[t] = state
    return out


def slow_vwap(times, high, low, close, volume) -> np.ndarray:
    out, session = np.full(close.size, NAN), None
    for t in range(close.size):
        day = int(times[t]) // 86_400_000
        if day != session:
            session, traded, volumes = day, [], []
        traded.append((high[t] + low[t] + close[t]) / 3 * volume[t])
        volumes.append(volume[t])
        total = math.fsum(volumes)
        out[t] = math.fsum(traded) / total if total else NAN
    return out


def pine_supertrend(high, low, close, n: int, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """TradingView's Pine source of ta.supertrend, line by line (TV's direction -1 = up)."""
    atr = slow_atr(high, low, close, n)
    line, direction = np.full(close.size, NAN), np.full(close.size, NAN)
    upper_1 = lower_1 = supertrend_1 = NAN  # the [1] history of the Pine variables
    for t in range(close.size):
        if math.isnan(atr[t]):
            continue
        src = (high[t] + low[t]) / 2
        upper_band, lower_band = src + factor * atr[t], src - factor * atr[t]
        prev_lower_band = 0.0 if math.isnan(lower_1) else lower_1  # nz()
        prev_upper_band = 0.0 if math.isnan(upper_1) else upper_1
        if not (lower_band > prev_lower_band or close[t - 1] < prev_lower_band):
            lower_band = prev_lower_band
        if not (upper_band < prev_upper_band or close[t - 1] > prev_upper_band):
            upper_band = prev_upper_band
        if math.isnan(atr[t - 1]):
            tv_direction = 1
        elif supertrend_1 == prev_upper_band:
            tv_direction = -1 if close[t] > upper_band else 1
        else:
            tv_direction = 1 if close[t] < lower_band else -1
        supertrend = lower_band if tv_direction == -1 else upper_band
        line[t], direction[t] = supertrend, -tv_direction
        upper_1, lower_1, supertrend_1 = upper_band, lower_band, supertrend
    return line, direction


@pytest.mark.parametrize("n", [2, 20, 200])
def test_highest_lowest_donchian_match_loops(n: int, btc_1h_candles) -> None:
    high, low = btc_1h_candles.high, btc_1h_candles.low
    assert_same(ta.highest(high, n), slow_highest(high, n))
    assert_same(ta.lowest(low, n), slow_lowest(low, n))
    bands = ta.donchian(high, low, n)
    assert_same(bands.upper, slow_highest(high, n))
    assert_same(bands.lower, slow_lowest(low, n))
    np.testing.assert_allclose(
        bands.middle, (slow_highest(high, n) + slow_lowest(low, n)) / 2, equal_nan=True
    )


@pytest.mark.parametrize(("n", "mult", "atr_n"), [(20, 2.0, 10), (5, 1.5, 30), (1, 3.0, 1)])
def test_keltner_matches_loops(n: int, mult: float, atr_n: int, btc_1h_candles) -> None:
    k = btc_1h_candles
    bands = ta.keltner(k.high, k.low, k.close, n, mult, atr_n)
    middle = slow_ema(k.close, n)
    width = mult * slow_atr(k.high, k.low, k.close, atr_n)
    np.testing.assert_allclose(bands.middle, middle, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(bands.upper, middle + width, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(bands.lower, middle - width, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize(("n", "mult"), [(10, 3.0), (7, 2.0), (50, 5.0), (1, 0.5)])
def test_supertrend_matches_the_pine_source(n: int, mult: float, btc_1h_candles) -> None:
    """(1, 0.5) puts the bands on the bar's high and low: many exact ties of the two bands."""
    k = btc_1h_candles
    result = ta.supertrend(k.high, k.low, k.close, n, mult)
    line, direction = pine_supertrend(k.high, k.low, k.close, n, mult)
    assert_same(result.direction, direction)
    np.testing.assert_allclose(result.line, line, rtol=1e-12, equal_nan=True)
    assert set(np.unique(result.direction[n:])) == {-1.0, 1.0}


def test_vwap_matches_a_loop(btc_5m_candles, shared_data) -> None:
    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_5m_2020-12_2021-07.csv.gz")
    gappy = CandleArrays.from_rows(rows)  # maintenance gaps and zero-volume candles
    for k in (btc_5m_candles, gappy):
        arrays = (k.open_time, k.high, k.low, k.close, k.volume)
        got, expected = ta.vwap(*arrays), slow_vwap(*arrays)
        np.testing.assert_allclose(got, expected, rtol=1e-13, equal_nan=True)
        assert np.isfinite(got).all()  # every session here starts with a traded bar


def test_vwap_takes_float_times_and_needs_ascending_ones(btc_1h_candles) -> None:
    k = btc_1h_candles
    assert_same(
        ta.vwap(k.open_time.astype(np.float64), k.high, k.low, k.close, k.volume),
        ta.vwap(k.open_time, k.high, k.low, k.close, k.volume),
    )
    with pytest.raises(ValueError, match="ascending"):
        ta.vwap([2, 1], [1, 1], [1, 1], [1, 1], [1, 1])
    with pytest.raises(ValueError, match="finite"):
        ta.vwap([0, NAN], [1, 1], [1, 1], [1, 1], [1, 1])


# --- LOOKBACK ---------------------------------------------------------------------------------


def test_lookback_covers_every_function() -> None:
    assert sorted(ta.LOOKBACK) == FUNCTIONS
    assert {name for name, _ in CASES} == set(FUNCTIONS)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_leading_nans_never_exceed_lookback(case, btc_1h_candles) -> None:
    name, params = case
    lookback = ta.LOOKBACK[name](*params)
    assert isinstance(lookback, int) and lookback >= 0
    for result in run(name, arrays_of(btc_1h_candles, name), params):
        lead = leading_nans(result)
        assert lead <= lookback
        assert np.isfinite(result[lead:]).all()  # the data has no NaN: no NaN after the warm-up
        if name in WINDOWED:
            assert lead == lookback


def relative_errors(short: np.ndarray, full: np.ndarray) -> np.ndarray:
    """|short - full| / max(|full|, median |full|): relative, with a floor at the indicator's
    typical size so that values near zero (MACD, ROC, CCI cross it) do not divide by ~0."""
    scale = np.nanmedian(np.abs(full))
    return np.abs(short - full) / np.maximum(np.abs(full), scale)


def assert_settled(name: str, params: tuple, candles: CandleArrays, step: int) -> None:
    """At bars t = L, L + step, ...: the value from bars t - L .. t only (L = LOOKBACK) is within
    1e-4 relative of the value from bar 0 (most of these bars have far more than 10 L behind)."""
    lookback = ta.LOOKBACK[name](*params)
    arrays = arrays_of(candles, name)
    full = run(name, arrays, params)
    ends = np.arange(lookback, candles.close.size, step)
    short = [np.empty(ends.size) for _ in full]
    for i, t in enumerate(ends):
        window = [a[t - lookback : t + 1] for a in arrays]
        for out, values in zip(short, run(name, window, params), strict=True):
            out[i] = values[-1]
    for s, f in zip(short, full, strict=True):
        assert not np.isnan(s).any() and not np.isnan(f[ends]).any()
        worst = relative_errors(s, f[ends]).max()
        assert worst < 1e-4, f"{name}{params}: {worst:.2e} after LOOKBACK={lookback} bars"


SETTLING = [case for case in CASES if case[0] not in ANCHORED]


@pytest.mark.parametrize("case", SETTLING, ids=case_id)
def test_values_settle_within_lookback_on_every_1h_bar(case, btc_1h_candles) -> None:
    assert_settled(*case, btc_1h_candles, step=1)


@pytest.mark.parametrize("case", SETTLING, ids=case_id)
def test_values_settle_within_lookback_on_5m_bars(case, btc_5m_candles) -> None:
    name, params = case
    assert btc_5m_candles.close.size > 11 * ta.LOOKBACK[name](*params)  # 10x more history
    assert_settled(name, params, btc_5m_candles, step=53)


def test_settling_check_has_teeth(btc_1h_candles) -> None:
    """Half the Wilder and MACD lookbacks would fail the 1e-4 check on the same data."""
    k = btc_1h_candles
    for function, arrays, params in (
        (ta.rsi, (k.close,), (14,)),
        (ta.adx, (k.high, k.low, k.close), (14,)),
        (ta.macd, (k.close,), (12, 26, 9)),
    ):
        lookback = ta.LOOKBACK[function.__name__](*params) // 2
        full = outputs(function(*arrays, *params))[0]
        short = [
            outputs(function(*(a[t - lookback : t + 1] for a in arrays), *params))[0][-1]
            for t in range(lookback, k.close.size)
        ]
        assert relative_errors(np.array(short), full[lookback:]).max() > 1e-4


def test_obv_is_anchored_at_the_first_bar(btc_1h_candles) -> None:
    """A later start shifts OBV by a constant: the changes need no history (LOOKBACK 0)."""
    k = btc_1h_candles
    assert ta.LOOKBACK["obv"]() == 0
    full = ta.obv(k.close, k.volume)
    for start in (1, 500, 4000):
        later = ta.obv(k.close[start:], k.volume[start:])
        assert later[0] == k.volume[start]  # TA-Lib starts OBV at the first volume
        shifted = full[start:] - full[start] + later[0]
        np.testing.assert_allclose(later, shifted, rtol=1e-12, atol=1e-6)


def test_vwap_is_anchored_at_utc_midnight(btc_5m_candles) -> None:
    """From any session's first bar, the values are those of the whole series (LOOKBACK 0)."""
    k = btc_5m_candles
    assert ta.LOOKBACK["vwap"]() == 0
    full = ta.vwap(k.open_time, k.high, k.low, k.close, k.volume)
    midnights = np.flatnonzero(k.open_time % 86_400_000 == 0)
    for start in midnights[[1, 100, -1]]:
        later = ta.vwap(*(a[start:] for a in (k.open_time, k.high, k.low, k.close, k.volume)))
        np.testing.assert_allclose(later, full[start:], rtol=1e-15)
    # Starting mid-session changes that session only.
    start = midnights[100] + 7
    later = ta.vwap(*(a[start:] for a in (k.open_time, k.high, k.low, k.close, k.volume)))
    next_midnight = midnights[101] - start
    assert not np.allclose(later[:next_midnight], full[start : start + next_midnight])
    np.testing.assert_allclose(later[next_midnight:], full[start + next_midnight :], rtol=1e-15)


def test_lookback_formulas() -> None:
    lookback = ta.LOOKBACK
    assert lookback["highest"](20) == lookback["donchian"](20) == lookback["bollinger"](20, 2) == 19
    assert lookback["roc"](10) == lookback["mfi"](10) == 10
    assert lookback["stochastic"](14, 3, 3) == 17
    assert lookback["dema"](10) == 18 + 50 and lookback["tema"](10) == 27 + 50
    assert lookback["rsi"](14) == lookback["atr"](14) == 14 + 15 * 14
    assert lookback["adx"](14) == 27 + 15 * 14
    assert lookback["macd"](12, 26, 9) == 33 + 8 * 26
    assert lookback["keltner"](20, 2.0, 10) == max(19 + 100, 10 + 150)
    assert lookback["supertrend"](10, 3.0) == 10 + 150 + 180
    assert lookback["obv"]() == lookback["vwap"]() == 0


# --- Arguments: periods, multipliers, shapes; inputs untouched; empty input -----------------

GOOD = {name: params for name, params in reversed(CASES)}  # the first case of each function
BAD_PERIODS = [1.5, 14.0, True, "14", None, 0, -3, 100_001]


def with_param(name: str, index: int, value: object) -> tuple:
    params = list(GOOD[name])
    params[index] = value
    return tuple(params)


PERIOD_SLOTS = [
    (name, i)
    for name, params in sorted(GOOD.items())
    for i, value in enumerate(params)
    if isinstance(value, int)
]
MULTIPLIER_SLOTS = [
    (name, i)
    for name, params in sorted(GOOD.items())
    for i, value in enumerate(params)
    if isinstance(value, float)
]


@pytest.mark.parametrize(("name", "index"), PERIOD_SLOTS)
def test_bad_periods_raise_value_error(name: str, index: int) -> None:
    arrays = tuple(np.linspace(1.0, 2.0, 50) for _ in COLUMNS[INPUTS[name]])
    for value in BAD_PERIODS:
        params = with_param(name, index, value)
        with pytest.raises(ValueError, match=name):
            getattr(ta, name)(*arrays, *params)
        with pytest.raises(ValueError, match=name):
            ta.LOOKBACK[name](*params)


@pytest.mark.parametrize(
    ("name", "index", "minimum"),
    [
        ("dema", 0, 1),
        ("tema", 0, 1),
        ("rsi", 0, 2),
        ("bollinger", 0, 2),
        ("atr", 0, 1),
        ("adx", 0, 2),
        ("cci", 0, 2),
        ("williams_r", 0, 2),
        ("mfi", 0, 2),
        ("roc", 0, 1),
        ("stochastic", 0, 1),
        ("stochastic", 1, 1),
        ("stochastic", 2, 1),
        ("highest", 0, 2),
        ("lowest", 0, 2),
        ("donchian", 0, 2),
        ("keltner", 0, 1),
        ("keltner", 2, 1),
        ("supertrend", 0, 1),
    ],
)
def test_period_minimum_is_accepted_and_one_less_is_not(name, index, minimum) -> None:
    arrays = tuple(np.linspace(1.0, 2.0, 50) for _ in COLUMNS[INPUTS[name]])
    getattr(ta, name)(*arrays, *with_param(name, index, minimum))
    with pytest.raises(ValueError, match=f"between {minimum} and 100000"):
        getattr(ta, name)(*arrays, *with_param(name, index, minimum - 1))
    getattr(ta, name)(*arrays, *with_param(name, index, np.int64(minimum)))  # NumPy ints are ints


def test_macd_needs_fast_shorter_than_slow() -> None:
    x = np.linspace(1.0, 2.0, 100)
    for fast, slow in ((26, 12), (12, 12)):
        with pytest.raises(ValueError, match="fast must be shorter than slow"):
            ta.macd(x, fast, slow, 9)
        with pytest.raises(ValueError, match="fast must be shorter than slow"):
            ta.LOOKBACK["macd"](fast, slow, 9)
    with pytest.raises(ValueError, match="between 2 and"):
        ta.macd(x, 1, 26, 9)
    with pytest.raises(ValueError, match="between 1 and"):
        ta.macd(x, 12, 26, 0)


@pytest.mark.parametrize(("name", "index"), MULTIPLIER_SLOTS)
def test_bad_multipliers_raise_value_error(name: str, index: int) -> None:
    arrays = tuple(np.linspace(1.0, 2.0, 50) for _ in COLUMNS[INPUTS[name]])
    for value in (0, 0.0, -1.0, NAN, math.inf, True, "2", None):
        with pytest.raises(ValueError, match=name):
            getattr(ta, name)(*arrays, *with_param(name, index, value))
    getattr(ta, name)(*arrays, *with_param(name, index, 2))  # an int is a number


@pytest.mark.parametrize("name", FUNCTIONS)
def test_shapes_are_checked(name: str) -> None:
    count = len(COLUMNS[INPUTS[name]])
    params = GOOD[name]
    function = getattr(ta, name)
    if count > 1:
        with pytest.raises(ValueError, match="same length"):
            function(*([np.ones(30)] * (count - 1) + [np.ones(29)]), *params)
    with pytest.raises(ValueError, match="1-D"):
        function(*([np.ones((30, 2))] * count), *params)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_empty_input_gives_empty_output(name: str) -> None:
    params = GOOD[name]
    for empty in (np.empty(0), []):
        for result in outputs(getattr(ta, name)(*([empty] * len(COLUMNS[INPUTS[name]])), *params)):
            assert result.shape == (0,) and result.dtype == np.float64


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_series_shorter_than_the_warm_up_is_all_nan(name: str, btc_1h_candles) -> None:
    params = GOOD[name]
    arrays = arrays_of(btc_1h_candles, name)
    for size in (1, 3, 12):
        long = run(name, arrays, params)
        short = run(name, [a[:size] for a in arrays], params)
        for got, expected in zip(short, long, strict=True):
            warm_up = min(leading_nans(expected), size)
            assert got.shape == (size,) and np.isnan(got[:warm_up]).all()
            np.testing.assert_allclose(got[warm_up:], expected[warm_up:size], rtol=1e-12)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_inputs_are_not_modified_and_outputs_are_new(name: str, btc_1h_candles) -> None:
    params = GOOD[name]
    originals = [a[:2000].copy() for a in arrays_of(btc_1h_candles, name)]
    frozen = [a.copy() for a in originals]
    for a in frozen:
        a.flags.writeable = False  # any write into an input would raise
    results = outputs(getattr(ta, name)(*frozen, *params))
    for a, original in zip(frozen, originals, strict=True):
        np.testing.assert_array_equal(a, original)
    for result in results:
        assert result.flags.writeable and result.shape == (2000,)
        assert not any(np.shares_memory(result, a) for a in frozen)
    # Lists and other dtypes are accepted and give the same values.
    as_lists = [a.tolist() for a in originals]
    for got, expected in zip(outputs(getattr(ta, name)(*as_lists, *params)), results, strict=True):
        assert_same(got, expected)
