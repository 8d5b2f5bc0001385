"""The functions a strategy can call: their arguments, outputs, look-back and implementation.

Every function is causal: its value at a bar reads that bar and earlier ones only. Arguments
are of four kinds: a series (an expression over the candles), a period (a whole number written
in the text or an integer param), a number (a number, a percentage or a param) and, for
`crosses_*`/`min`/`max`, a series or a number. `lookback` is the number of earlier bars a value
needs before it is settled (for smoothed indicators more than their leading NaNs, see ta.py);
it becomes the strategy's warm-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays

from .. import indicators, ta

SERIES, PERIOD, NUMBER, SERIES_OR_NUMBER = "series", "period", "number", "series or number"


@dataclass(frozen=True)
class Arg:
    name: str
    kind: str
    minimum: int = 1  # periods only


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[Arg, ...]
    compute: Callable[..., Any]  # (candles, *argument values) -> array or tuple of arrays
    lookback: Callable[..., int]  # (*period/number arguments) -> own bars of look-back
    description: str
    outputs: tuple[str, ...] = ()  # a multi-output function's fields, picked with `.name`
    returns: str = SERIES  # SERIES (floats) or "condition" (true/false)
    check: Callable[..., str | None] = lambda *constants: None  # rule across arguments
    session: bool = False  # anchored at 00:00 UTC: needs the bars of a day before it settles
    cost: float = 1.0  # work per bar, in EMAs (the compiler's cost limit adds these up)

    def signature(self) -> str:
        return f"{self.name}({', '.join(a.name for a in self.args)})"

    def takes(self) -> str:
        """The arguments in words, for error messages: 'a series and a period'."""
        said = [f"a {a.kind}" for a in self.args]
        if not said:
            return "no arguments"
        return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]


def _shift(values: np.ndarray, n: int) -> np.ndarray:
    """x[t - n]; NaN (False for conditions) before the first n bars."""
    out = np.empty_like(values) if values.dtype == bool else np.full(len(values), np.nan)
    if values.dtype == bool:
        out[:n] = False
    out[n:] = values[: len(values) - n] if n < len(values) else values[:0]
    if n >= len(values):
        out[:] = False if values.dtype == bool else np.nan
    return out


def _crosses(a, b, above: bool) -> np.ndarray:
    """a crosses b: a > b on this bar and not on the bar before (a bar where either side is
    undefined counts as not above), the built-ins' entry rule."""
    now = np.greater(a, b) if above else np.less(a, b)
    now = np.broadcast_to(now, np.broadcast_shapes(np.shape(a), np.shape(b))).astype(bool)
    return now & ~_shift(now, 1)


def _causal_extreme(values: np.ndarray, n: int, highest: bool) -> np.ndarray:
    return ta.highest(values, n) if highest else ta.lowest(values, n)


def _macd_check(fast, slow, signal) -> str | None:
    return None if fast < slow else "macd() needs the fast period below the slow one"


def _hlc(frame: CandleArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return frame.high, frame.low, frame.close


def _settle(period: int) -> int:
    """Bars an EMA needs to forget its seed: five periods (the ema-cross built-in's rule)."""
    return 5 * period - 1


_FUNCTIONS = (
    # Moving averages: the built-ins' own implementations (equal to TA-Lib, tested), so a
    # built-in rewritten in the language gives the very same numbers.
    Function(
        "sma",
        (Arg("series", SERIES), Arg("period", PERIOD)),
        lambda f, x, n: indicators.sma(x, n),
        lambda n: n - 1,
        "Simple moving average: the mean of the last `period` values.",
    ),
    Function(
        "ema",
        (Arg("series", SERIES), Arg("period", PERIOD)),
        lambda f, x, n: indicators.ema(x, n),
        _settle,
        "Exponential moving average (alpha = 2 / (period + 1), seeded with the first SMA).",
    ),
    Function(
        "wma",
        (Arg("series", SERIES), Arg("period", PERIOD)),
        lambda f, x, n: indicators.wma(x, n),
        lambda n: n - 1,
        "Linearly weighted moving average.",
        cost=1.0,
    ),
    Function(
        "hma",
        (Arg("series", SERIES), Arg("period", PERIOD, 2)),
        lambda f, x, n: indicators.hma(x, n),
        indicators.hma_warmup,
        "Hull moving average: WMA(2 WMA(n/2) - WMA(n), sqrt(n)).",
        cost=3.0,
    ),
    Function(
        "dema",
        (Arg("series", SERIES), Arg("period", PERIOD, 2)),
        lambda f, x, n: ta.dema(x, n),
        lambda n: ta.LOOKBACK["dema"](n),
        "Double exponential moving average: 2 EMA - EMA(EMA).",
    ),
    Function(
        "tema",
        (Arg("series", SERIES), Arg("period", PERIOD, 2)),
        lambda f, x, n: ta.tema(x, n),
        lambda n: ta.LOOKBACK["tema"](n),
        "Triple exponential moving average: 3 EMA - 3 EMA(EMA) + EMA(EMA(EMA)).",
    ),
    Function(
        "rsi",
        (Arg("series", SERIES), Arg("period", PERIOD, 2)),
        lambda f, x, n: ta.rsi(x, n),
        lambda n: ta.LOOKBACK["rsi"](n),
        "Relative strength index (Wilder), 0..100.",
    ),
    Function(
        "macd",
        (
            Arg("series", SERIES),
            Arg("fast", PERIOD, 2),
            Arg("slow", PERIOD, 2),
            Arg("signal", PERIOD),
        ),
        lambda f, x, fast, slow, signal: tuple(ta.macd(x, fast, slow, signal)),
        lambda fast, slow, signal: ta.LOOKBACK["macd"](fast, slow, signal),
        "MACD: EMA(fast) - EMA(slow) (.line), its EMA(signal) (.signal), their difference (.hist).",
        outputs=("line", "signal", "hist"),
        check=_macd_check,
    ),
    Function(
        "bollinger",
        (Arg("series", SERIES), Arg("period", PERIOD, 2), Arg("deviations", NUMBER)),
        lambda f, x, n, k: tuple(ta.bollinger(x, n, float(k))),
        lambda n, k: ta.LOOKBACK["bollinger"](n, k),
        "Bollinger bands: SMA(period) (.middle) plus/minus `deviations` standard deviations.",
        outputs=("upper", "middle", "lower"),
    ),
    Function(
        "atr",
        (Arg("period", PERIOD),),
        lambda f, n: ta.atr(*_hlc(f), n),
        lambda n: ta.LOOKBACK["atr"](n),
        "Average true range (Wilder) of the candles.",
    ),
    Function(
        "adx",
        (Arg("period", PERIOD, 2),),
        lambda f, n: ta.adx(*_hlc(f), n),
        lambda n: ta.LOOKBACK["adx"](n),
        "Average directional index (Wilder), 0..100.",
    ),
    Function(
        "stochastic",
        (Arg("k", PERIOD), Arg("smooth", PERIOD), Arg("d", PERIOD)),
        lambda f, k, smooth, d: tuple(ta.stochastic(*_hlc(f), k, smooth, d)),
        lambda k, smooth, d: ta.LOOKBACK["stochastic"](k, smooth, d),
        "Slow stochastic oscillator: %K smoothed over `smooth` bars (.k) and its SMA(d) (.d).",
        outputs=("k", "d"),
    ),
    Function(
        "cci",
        (Arg("period", PERIOD, 2),),
        lambda f, n: ta.cci(*_hlc(f), n),
        lambda n: ta.LOOKBACK["cci"](n),
        "Commodity channel index of the typical price.",
    ),
    Function(
        "mfi",
        (Arg("period", PERIOD, 2),),
        lambda f, n: ta.mfi(*_hlc(f), f.volume, n),
        lambda n: ta.LOOKBACK["mfi"](n),
        "Money flow index, 0..100.",
    ),
    Function(
        "obv",
        (),
        lambda f: ta.obv(f.close, f.volume),
        lambda: ta.LOOKBACK["obv"](),
        "On-balance volume (a running total: compare its changes, not its level).",
    ),
    Function(
        "roc",
        (Arg("series", SERIES), Arg("period", PERIOD)),
        lambda f, x, n: ta.roc(x, n),
        lambda n: ta.LOOKBACK["roc"](n),
        "Rate of change in percent: 100 (x / x[period bars ago] - 1).",
    ),
    Function(
        "williams_r",
        (Arg("period", PERIOD, 2),),
        lambda f, n: ta.williams_r(*_hlc(f), n),
        lambda n: ta.LOOKBACK["williams_r"](n),
        "Williams %R, -100..0.",
    ),
    Function(
        "vwap",
        (),
        lambda f: ta.vwap(f.open_time, *_hlc(f), f.volume),
        lambda: ta.LOOKBACK["vwap"](),
        "Volume-weighted average price of the UTC day so far (resets at 00:00 UTC).",
        session=True,
        cost=3.0,
    ),
    Function(
        "donchian",
        (Arg("period", PERIOD, 2),),
        lambda f, n: tuple(ta.donchian(f.high, f.low, n)),
        lambda n: ta.LOOKBACK["donchian"](n),
        "Donchian channel: highest high (.upper), lowest low (.lower), their mean (.middle).",
        outputs=("upper", "middle", "lower"),
    ),
    Function(
        "keltner",
        (Arg("period", PERIOD, 2), Arg("multiplier", NUMBER), Arg("atr_period", PERIOD)),
        lambda f, n, mult, atr_n: tuple(ta.keltner(*_hlc(f), n, float(mult), atr_n)),
        lambda n, mult, atr_n: ta.LOOKBACK["keltner"](n, mult, atr_n),
        "Keltner channel: EMA(period) (.middle) plus/minus multiplier x ATR(atr_period).",
        outputs=("upper", "middle", "lower"),
    ),
    Function(
        "supertrend",
        (Arg("period", PERIOD), Arg("multiplier", NUMBER)),
        lambda f, n, mult: tuple(ta.supertrend(*_hlc(f), n, float(mult))),
        lambda n, mult: ta.LOOKBACK["supertrend"](n, mult),
        "SuperTrend: the trailing line (.line) and the trend (.direction: 1 up, -1 down).",
        outputs=("line", "direction"),
        cost=40.0,
    ),
    # Windows over the series itself.
    Function(
        "highest",
        (Arg("series", SERIES), Arg("period", PERIOD, 2)),
        lambda f, x, n: _causal_extreme(x, n, True),
        lambda n: n - 1,
        "The highest value of the last `period` bars (this one included).",
    ),
    Function(
        "lowest",
        (Arg("series", SERIES), Arg("period", PERIOD, 2)),
        lambda f, x, n: _causal_extreme(x, n, False),
        lambda n: n - 1,
        "The lowest value of the last `period` bars (this one included).",
    ),
    Function(
        "change",
        (Arg("series", SERIES), Arg("bars", PERIOD)),
        lambda f, x, n: x - _shift(x, n),
        lambda n: n,
        "x - x[bars ago].",
    ),
    Function(
        "shift",
        (Arg("series", SERIES), Arg("bars", PERIOD)),
        lambda f, x, n: _shift(x, n),
        lambda n: n,
        "The value `bars` bars ago (1 or more: a strategy never reads a later bar).",
    ),
    Function(
        "rising",
        (Arg("series", SERIES),),
        lambda f, x: indicators.rising(x),
        lambda: 1,
        "True where the value is above the one of the bar before.",
        returns="condition",
    ),
    Function(
        "falling",
        (Arg("series", SERIES),),
        lambda f, x: indicators.falling(x),
        lambda: 1,
        "True where the value is below the one of the bar before.",
        returns="condition",
    ),
    Function(
        "crosses_above",
        (Arg("a", SERIES_OR_NUMBER), Arg("b", SERIES_OR_NUMBER)),
        lambda f, a, b: _crosses(a, b, above=True),
        lambda: 1,
        "True on the bar where a goes above b (a > b now, not on the bar before).",
        returns="condition",
    ),
    Function(
        "crosses_below",
        (Arg("a", SERIES_OR_NUMBER), Arg("b", SERIES_OR_NUMBER)),
        lambda f, a, b: _crosses(a, b, above=False),
        lambda: 1,
        "True on the bar where a goes below b (a < b now, not on the bar before).",
        returns="condition",
    ),
    Function(
        "abs",
        (Arg("x", SERIES),),
        lambda f, x: np.abs(x),
        lambda: 0,
        "The absolute value.",
    ),
    Function(
        "min",
        (Arg("a", SERIES_OR_NUMBER), Arg("b", SERIES_OR_NUMBER)),
        lambda f, a, b: np.broadcast_to(np.fmin(a, b), len(f)).astype(float),
        lambda: 0,
        "The smaller of a and b at each bar.",
    ),
    Function(
        "max",
        (Arg("a", SERIES_OR_NUMBER), Arg("b", SERIES_OR_NUMBER)),
        lambda f, a, b: np.broadcast_to(np.fmax(a, b), len(f)).astype(float),
        lambda: 0,
        "The larger of a and b at each bar.",
    ),
)

FUNCTIONS: dict[str, Function] = {f.name: f for f in _FUNCTIONS}
FIELDS = ("open", "high", "low", "close", "volume")
TF_DESCRIPTION = (
    'tf("1h", expression): the expression on the closed candles of a higher timeframe; at each '
    "base bar, the value of the last candle closed by that bar's close."
)
