"""KPIs on hand-made equity curves and trades, values worked out in the comments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from apps.analytics.engine import TradeTable, kpis
from apps.datafeeds.arrays import CandleArrays

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def hourly(count: int) -> np.ndarray:
    return np.arange(count, dtype=np.int64) * HOUR_MS


def candles_from_closes(closes, step_ms: int = DAY_MS) -> CandleArrays:
    closes = np.asarray(closes, dtype=np.float64)
    times = np.arange(len(closes), dtype=np.int64) * step_ms
    return CandleArrays(times, closes, closes, closes, closes, np.ones(len(closes)))


def trade_table(pnl, entry_bar=None, exit_bar=None, fees=None, step_ms: int = DAY_MS) -> TradeTable:
    """Trades with the given net PnL; 100 units at 100 (notional 10,000) unless said."""
    pnl = np.asarray(pnl, dtype=np.float64)
    count = len(pnl)
    entry_bar = np.asarray(entry_bar if entry_bar is not None else np.zeros(count), np.int64)
    exit_bar = np.asarray(exit_bar if exit_bar is not None else np.ones(count), np.int64)
    fees = np.asarray(fees if fees is not None else np.zeros(count), np.float64)
    ones = np.ones(count)
    return TradeTable(
        side=np.ones(count, np.int8),
        entry_bar=entry_bar,
        exit_bar=exit_bar,
        entry_time=entry_bar * step_ms,
        exit_time=exit_bar * step_ms,
        size=100 * ones,
        entry_price=100 * ones,
        exit_price=100 * ones + pnl / 100,
        entry_fee=fees / 2,
        exit_fee=fees / 2,
        pnl=pnl,
        return_fraction=pnl / 10_000,
        exit_reason=np.zeros(count, np.int8),
        equity_after=10_000 + np.cumsum(pnl),
    )


# --- drawdown --------------------------------------------------------------------------------


def test_max_drawdown_and_its_duration():
    equity = np.array([100, 120, 90, 110, 130, 117, 125], dtype=float)
    # Running peak 100 120 120 120 130 130 130 -> drawdown 0 0 .25 .0833 0 .1 .0385.
    # Deepest: 120 -> 90 = 25%, from its peak (bar 1) to the recovery (bar 4): 3 bars.
    # The second one (bar 4 ->) never recovers: it lasts to the last bar, 2 bars.
    result = kpis.drawdown(equity, hourly(7))
    assert result.max_drawdown == pytest.approx(0.25)
    assert result.max_drawdown_duration_bars == 3
    assert result.max_drawdown_duration_ms == 3 * HOUR_MS
    assert result.longest_drawdown_bars == 3
    np.testing.assert_allclose(
        kpis.drawdown_curve(equity), [0, 0, 0.25, 1 / 12, 0, 0.1, 5 / 130], atol=1e-15
    )


def test_the_longest_drawdown_need_not_be_the_deepest():
    equity = np.array([100, 90, 100, 101, 100.5, 100.2, 100.1, 100.9, 101.5])
    # 100 -> 90 -> 100: 10% over 2 bars (0 to 2). 101 -> 100.1 -> 101.5: 0.89% over 5 bars
    # (3 to 8, recovered at bar 8 above the peak).
    result = kpis.drawdown(equity, hourly(9))
    assert result.max_drawdown == pytest.approx(0.1)
    assert result.max_drawdown_duration_bars == 2
    assert result.longest_drawdown_bars == 5
    assert result.longest_drawdown_ms == 5 * HOUR_MS


def test_no_drawdown_on_a_rising_curve():
    result = kpis.drawdown(np.array([1.0, 2.0, 3.0]), hourly(3))
    assert (result.max_drawdown, result.max_drawdown_duration_bars) == (0.0, 0)


# --- trade statistics ------------------------------------------------------------------------


def test_profit_factor_win_rate_and_expectancy():
    pnl = np.array([100.0, -50.0, 30.0, -20.0])
    # Gross profit 130, gross loss 70: 1.857. Two winners in four. Mean PnL 60 / 4 = 15.
    assert kpis.profit_factor(pnl) == pytest.approx(130 / 70)
    assert kpis.win_rate(pnl) == 0.5
    table = trade_table(pnl)
    result = kpis.compute_kpis(table, np.full(3, 10_000.0), candles_from_closes([1, 1, 1]), 10_000)
    assert result.expectancy == pytest.approx(15.0)
    assert result.average_trade_return == pytest.approx(0.0015)
    assert result.number_of_trades == 4


def test_a_break_even_trade_is_not_a_win():
    assert kpis.win_rate(np.array([0.0, 10.0])) == 0.5


def test_all_winners_leave_the_profit_factor_undefined():
    pnl = np.array([10.0, 20.0])
    assert kpis.win_rate(pnl) == 1.0
    assert kpis.profit_factor(pnl) is None


def test_trade_durations_exposure_and_fees():
    # Trades over bars [1, 3] and [3, 5] (a reversal on bar 3) of 10 daily bars: bars 1..5 are
    # exposed, 5 of 10. Durations 2 and 2 bars (2 days each).
    table = trade_table([10.0, -5.0], entry_bar=[1, 3], exit_bar=[3, 5], fees=[2.0, 3.0])
    candles = candles_from_closes(np.linspace(100, 109, 10))
    equity = np.full(10, 10_000.0)
    result = kpis.compute_kpis(table, equity, candles, 10_000)
    assert result.exposure == 0.5
    assert result.fees_paid == 5.0
    assert result.average_trade_duration_bars == 2
    assert result.longest_trade_duration_ms == 2 * DAY_MS
    assert result.buy_and_hold_return == pytest.approx(0.09)  # 100 -> 109


def test_no_trades_leave_trade_statistics_undefined():
    table = trade_table([])
    candles = candles_from_closes([100, 101, 102])
    result = kpis.compute_kpis(table, np.full(3, 10_000.0), candles, 10_000)
    assert result.number_of_trades == 0
    assert result.win_rate is None
    assert result.profit_factor is None
    assert result.expectancy is None
    assert result.average_trade_duration_bars is None
    assert result.longest_trade_duration_bars is None
    assert result.exposure == 0.0
    assert result.fees_paid == 0.0
    assert result.total_return == 0.0
    assert result.max_drawdown == 0.0
    assert result.sharpe is None  # a flat curve has no volatility
    assert result.sortino is None
    assert result.calmar is None


# --- risk-adjusted returns -------------------------------------------------------------------


def equity_from_returns(returns, start: float = 1_000.0) -> np.ndarray:
    return start * np.cumprod(np.r_[1.0, 1 + np.asarray(returns)])


def test_sharpe_on_a_known_series():
    # Daily returns 1%, -0.5%, 2%, 0%: mean 0.625%, sample deviations .375 -1.125 1.375 -.625
    # (%), squares sum 3.6875e-4, / 3 = 1.22917e-4, std 1.10868%. Per bar 0.563733, times
    # sqrt(365.25) = 19.11151: 10.7738.
    equity = equity_from_returns([0.01, -0.005, 0.02, 0.0])
    returns = kpis.bar_returns(equity)
    per_year = kpis.periods_per_year(np.arange(5) * DAY_MS)
    assert per_year == 365.25
    assert kpis.sharpe(returns, per_year) == pytest.approx(
        0.00625 / math.sqrt(3.6875e-4 / 3) * math.sqrt(365.25), rel=1e-12
    )
    assert kpis.sharpe(returns, per_year) == pytest.approx(10.7738, rel=1e-5)


def test_sortino_on_a_known_series():
    # Downside deviation over all four bars: sqrt((0 + 0.005^2 + 0 + 0) / 4) = 0.0025;
    # 0.00625 / 0.0025 = 2.5 per bar, times sqrt(365.25).
    equity = equity_from_returns([0.01, -0.005, 0.02, 0.0])
    assert kpis.sortino(kpis.bar_returns(equity), 365.25) == pytest.approx(
        2.5 * math.sqrt(365.25), rel=1e-12
    )


def test_sortino_without_a_losing_bar_is_undefined():
    assert kpis.sortino(kpis.bar_returns(np.array([1.0, 1.1, 1.2])), 365.25) is None


def test_sharpe_is_undefined_once_equity_reaches_zero():
    assert kpis.bar_returns(np.array([10.0, 0.0, 5.0])) is None
    assert kpis.sharpe(None, 365.25) is None


def test_periods_per_year_for_five_minute_bars():
    # 365.25 days * 288 bars a day.
    assert kpis.periods_per_year(np.arange(3) * 300_000) == 105_192


def test_cagr_and_calmar():
    # 1,461 daily bars span exactly 4 years (first open to last close); doubling in 4 years is
    # 2 ** (1/4) - 1 = 18.92% a year. With a 10% drawdown, Calmar = 1.892.
    closes = np.linspace(100, 200, 1461)
    candles = candles_from_closes(closes)
    equity = 10_000 * closes / 100
    equity[700] = equity[699] * 0.9  # one 10% dip
    result = kpis.compute_kpis(trade_table([]), equity, candles, 10_000)
    assert kpis.span_years(candles.open_time) == pytest.approx(4.0, rel=1e-15)
    assert result.cagr == pytest.approx(2**0.25 - 1, rel=1e-12)
    assert result.max_drawdown == pytest.approx(0.1, rel=1e-12)
    assert result.calmar == pytest.approx((2**0.25 - 1) / 0.1, rel=1e-12)
    assert result.total_return == pytest.approx(1.0)
    assert result.net_profit == pytest.approx(10_000)


def test_cagr_of_a_total_loss_is_minus_one():
    open_time = np.arange(3) * DAY_MS
    assert kpis.cagr(np.array([100.0, 50.0, 0.0]), 100.0, open_time) == -1.0


def test_cagr_over_minutes_does_not_overflow():
    # +50% in 10 minutes annualises beyond float range: reported as undefined.
    assert kpis.cagr(np.array([100.0, 150.0]), 100.0, np.array([0, 300_000])) is None


def test_kpis_serialise_to_plain_values():
    table = trade_table([5.0])
    result = kpis.compute_kpis(
        table, np.array([10_000.0, 10_005.0]), candles_from_closes([1, 2]), 10_000
    )
    values = result.as_dict()
    assert values["number_of_trades"] == 1
    assert all(v is None or isinstance(v, int | float) for v in values.values())


def test_exposure_of_trades_one_after_another_is_the_union_of_their_bars():
    """The engine's trades follow each other (a reversal shares its bar with the exit before):
    exposure from their lengths equals counting the bars of their union one by one, and
    overlapping intervals (not the engine's) take the per-bar count."""
    rng = np.random.default_rng(3)
    gaps = rng.integers(0, 4, 200)  # 0: a reversal, the next entry on the exit bar
    lengths = rng.integers(0, 30, 200)
    entry = np.cumsum(gaps + np.r_[0, lengths[:-1]])
    exit_ = entry + lengths
    bars = int(exit_[-1]) + 5
    covered = np.zeros(bars, dtype=bool)
    for a, b in zip(entry, exit_, strict=True):
        covered[a : b + 1] = True
    assert kpis.exposure(entry, exit_, bars) == pytest.approx(covered.mean(), rel=1e-15)
    overlapping = (np.array([0, 5]), np.array([10, 12]))
    assert kpis.exposure(*overlapping, 20) == pytest.approx(13 / 20)
