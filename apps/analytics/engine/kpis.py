"""Backtest KPIs: pure functions of the trades, the per-bar equity curve and the candles.

Formulas and conventions are in docs/backtesting.md. Fractions, not percent. Undefined values
(no trades, no losing trade, a flat equity curve, ...) are None, never a division error.
Annualisation: crypto trades around the clock, so periods per year = 365.25 days / bar duration.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays

from .trades import TradeTable

MS_PER_YEAR = 365.25 * 24 * 3600 * 1000  # a Julian year: crypto markets never close
MAX_EXPONENT = 700.0  # math.exp overflows a float just above 709


@dataclass(frozen=True)
class Drawdown:
    max_drawdown: float  # largest fall from a running peak, as a fraction of that peak
    max_drawdown_duration_bars: int  # the deepest drawdown: its peak to its recovery (or end)
    max_drawdown_duration_ms: int
    longest_drawdown_bars: int  # the longest stretch below a running peak, peak to recovery
    longest_drawdown_ms: int


@dataclass(frozen=True)
class Kpis:
    initial_capital: float
    final_equity: float | None
    net_profit: float | None
    total_return: float | None
    cagr: float | None
    max_drawdown: float | None
    max_drawdown_duration_bars: int | None
    max_drawdown_duration_ms: int | None
    longest_drawdown_bars: int | None
    longest_drawdown_ms: int | None
    sharpe: float | None
    sortino: float | None
    calmar: float | None
    number_of_trades: int
    win_rate: float | None
    profit_factor: float | None
    expectancy: float | None  # mean net PnL per trade, quote currency
    average_trade_return: float | None  # mean of the trades' return fractions
    average_trade_duration_bars: float | None
    average_trade_duration_ms: float | None
    longest_trade_duration_bars: int | None
    longest_trade_duration_ms: int | None
    exposure: float | None
    fees_paid: float
    buy_and_hold_return: float | None
    periods_per_year: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, None when the denominator is zero or either is not finite."""
    if denominator == 0 or not np.isfinite(denominator) or not np.isfinite(numerator):
        return None
    return float(numerator / denominator)


def bar_duration_ms(open_time: np.ndarray) -> int:
    """The bar duration: the median step between open times (robust to gaps); 0 for < 2 bars."""
    if len(open_time) < 2:
        return 0
    steps = np.diff(open_time)
    if (steps == steps[0]).all():  # no gap, the usual case: no sort needed for the median
        return int(steps[0])
    return int(np.median(steps))


def periods_per_year(open_time: np.ndarray, bar_ms: int | None = None) -> float | None:
    """Bars per year, 24/7: 365.25 days / bar duration (`bar_ms`, when already known)."""
    return _ratio(MS_PER_YEAR, bar_duration_ms(open_time) if bar_ms is None else bar_ms)


def span_years(open_time: np.ndarray, bar_ms: int | None = None) -> float | None:
    """From the first bar's open to the last bar's close, in years."""
    if not len(open_time):
        return None
    bar_ms = bar_duration_ms(open_time) if bar_ms is None else bar_ms
    return _ratio(int(open_time[-1] - open_time[0]) + bar_ms, MS_PER_YEAR)


def total_return(equity: np.ndarray, initial_capital: float) -> float | None:
    return _ratio(equity[-1] - initial_capital, initial_capital) if len(equity) else None


def cagr(
    equity: np.ndarray, initial_capital: float, open_time: np.ndarray, bar_ms: int | None = None
) -> float | None:
    """(final / initial) ** (1 / years) - 1; -1 when everything was lost."""
    years = span_years(open_time, bar_ms)
    if not len(equity) or not years:
        return None
    growth = float(equity[-1] / initial_capital)
    if growth <= 0:
        return -1.0
    exponent = math.log(growth) / years
    # A gain over a span of minutes annualises to a number past float range: not meaningful.
    return math.expm1(exponent) if exponent < MAX_EXPONENT else None


def drawdown_curve(equity: np.ndarray) -> np.ndarray:
    """1 - equity / running peak, per bar (0 at a new peak)."""
    return 1 - equity / np.maximum.accumulate(equity)


def drawdown(equity: np.ndarray, open_time: np.ndarray) -> Drawdown:
    """Max drawdown and durations. An underwater stretch runs from its peak bar to the first bar
    back at (or above) that peak, or to the last bar when it never recovers."""
    depth = drawdown_curve(equity)
    underwater = depth > 0
    if not underwater.any():
        return Drawdown(float(depth.max(initial=0.0)), 0, 0, 0, 0)
    edges = np.diff(np.r_[0, underwater.astype(np.int8), 0])
    first_under = np.flatnonzero(edges == 1)  # never 0: the first bar is its own peak
    last_under = np.flatnonzero(edges == -1) - 1
    peak = first_under - 1
    recovery = np.minimum(last_under + 1, len(equity) - 1)
    bars = recovery - peak
    times = open_time[recovery] - open_time[peak]
    deepest = int(depth.argmax())
    episode = int(np.searchsorted(first_under, deepest, side="right")) - 1
    longest = int(bars.argmax())
    return Drawdown(
        max_drawdown=float(depth[deepest]),
        max_drawdown_duration_bars=int(bars[episode]),
        max_drawdown_duration_ms=int(times[episode]),
        longest_drawdown_bars=int(bars[longest]),
        longest_drawdown_ms=int(times[longest]),
    )


def bar_returns(equity: np.ndarray) -> np.ndarray | None:
    """Simple returns from one bar's close to the next; None when equity is ever <= 0."""
    if len(equity) < 2 or np.any(equity[:-1] <= 0):
        return None
    return equity[1:] / equity[:-1] - 1


def sharpe(returns: np.ndarray | None, per_year: float | None) -> float | None:
    """mean / sample standard deviation of per-bar returns * sqrt(periods per year); rf = 0."""
    if returns is None or len(returns) < 2 or not per_year:
        return None
    ratio = _ratio(returns.mean(), returns.std(ddof=1))
    return None if ratio is None else ratio * float(np.sqrt(per_year))


def sortino(returns: np.ndarray | None, per_year: float | None) -> float | None:
    """mean / downside deviation * sqrt(periods per year); downside deviation =
    sqrt(mean(min(r, 0)^2)) over all bars (target 0). None without a losing bar."""
    if returns is None or not len(returns) or not per_year:
        return None
    downside = float(np.sqrt(np.mean(np.minimum(returns, 0.0) ** 2)))
    ratio = _ratio(returns.mean(), downside)
    return None if ratio is None else ratio * float(np.sqrt(per_year))


def exposure(entry_bar: np.ndarray, exit_bar: np.ndarray, bar_count: int) -> float | None:
    """Fraction of bars during which a position was open for at least part of the bar: the
    union of [entry_bar, exit_bar] over trades (as backtesting.py counts it)."""
    if not bar_count:
        return None
    if len(entry_bar) and (entry_bar[1:] >= exit_bar[:-1]).all():
        # Trades one after another (the engine's): their lengths, less the bars two share (a
        # reversal enters on the bar its predecessor exits on). No per-bar array.
        shared = int(np.count_nonzero(entry_bar[1:] == exit_bar[:-1]))
        return float(int((exit_bar - entry_bar + 1).sum()) - shared) / bar_count
    starts = np.bincount(entry_bar, minlength=bar_count + 1)
    ends = np.bincount(exit_bar + 1, minlength=bar_count + 1)
    covered = np.cumsum(starts - ends)[:bar_count] > 0
    return float(covered.mean())


def profit_factor(pnl: np.ndarray) -> float | None:
    """Gross profit / gross loss (money); None without a losing trade."""
    gross_loss = -pnl[pnl < 0].sum()
    return _ratio(pnl[pnl > 0].sum(), gross_loss)


def win_rate(pnl: np.ndarray) -> float | None:
    """Share of trades with a positive net PnL (fees included); None without trades."""
    return float((pnl > 0).mean()) if len(pnl) else None


def buy_and_hold_return(close: np.ndarray) -> float | None:
    """close[-1] / close[0] - 1: the span the equity curve covers (close to close), no fees."""
    return _ratio(close[-1] - close[0], close[0]) if len(close) else None


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None


def _max(values: np.ndarray) -> int | None:
    return int(values.max()) if len(values) else None


def _drawdown_fields(dd: Drawdown | None) -> dict[str, float | int | None]:
    names = [f.name for f in fields(Drawdown)]
    return {name: None if dd is None else getattr(dd, name) for name in names}


def compute_kpis(
    trades: TradeTable, equity: np.ndarray, candles: CandleArrays, initial_capital: float
) -> Kpis:
    """Every KPI of a backtest."""
    bar_ms = bar_duration_ms(candles.open_time)
    per_year = periods_per_year(candles.open_time, bar_ms)
    returns = bar_returns(equity)
    final = float(equity[-1]) if len(equity) else None
    growth = cagr(equity, initial_capital, candles.open_time, bar_ms)
    dd = drawdown(equity, candles.open_time) if len(equity) else None
    duration_bars = trades.exit_bar - trades.entry_bar
    duration_ms = trades.exit_time - trades.entry_time
    return Kpis(
        initial_capital=float(initial_capital),
        final_equity=final,
        net_profit=None if final is None else final - initial_capital,
        total_return=total_return(equity, initial_capital),
        cagr=growth,
        **_drawdown_fields(dd),
        sharpe=sharpe(returns, per_year),
        sortino=sortino(returns, per_year),
        calmar=None if growth is None or dd is None else _ratio(growth, dd.max_drawdown),
        number_of_trades=len(trades),
        win_rate=win_rate(trades.pnl),
        profit_factor=profit_factor(trades.pnl) if len(trades) else None,
        expectancy=_mean(trades.pnl),
        average_trade_return=_mean(trades.return_fraction),
        average_trade_duration_bars=_mean(duration_bars),
        average_trade_duration_ms=_mean(duration_ms),
        longest_trade_duration_bars=_max(duration_bars),
        longest_trade_duration_ms=_max(duration_ms),
        exposure=exposure(trades.entry_bar, trades.exit_bar, len(candles)),
        fees_paid=float(trades.fees.sum()),
        buy_and_hold_return=buy_and_hold_return(candles.close),
        periods_per_year=per_year,
    )
