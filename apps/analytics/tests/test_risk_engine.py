"""Backtests with a risk profile on real BTC/USDT 5m candles (Binance, 2024-03-05 and -06: a
day that fell from 69,000 to 59,005), against a reference written bar by bar in plain Python.

The reference (`reference_run`) restates the rules of docs/risk.md as literally as possible: one
decision per entry signal, sized on the decision bar's close, a long with the profile's stop as
its only exit, the daily loss counted on the UTC day of each exit, the cooldown in bars after a
stop-loss. The engine skips refused signals by intervals and keeps its state in apps.risk; the
two must agree trade for trade, blocked signal for blocked signal.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import pytest

from apps.analytics.engine import BacktestConfig, run_backtest
from apps.analytics.engine.trades import equity_curve
from apps.datafeeds.arrays import CandleArrays
from apps.risk.check import MS_PER_DAY, RiskLimits

BAR_MS = 300_000
MARCH_5 = 1_709_596_800_000  # 2024-03-05 00:00 UTC
FEE = 0.001
LIMITS = RiskLimits(risk_per_trade=0.005, max_position_fraction=1.0, stop_loss=0.003)


@pytest.fixture(scope="module")
def two_days(btc_5m_candles) -> CandleArrays:
    """2024-03-05 00:00 .. 2024-03-07 00:00 UTC: 576 real 5m bars, no gap."""
    first = int(np.searchsorted(btc_5m_candles.open_time, MARCH_5))
    candles = btc_5m_candles.slice(slice(first, first + 576))
    assert np.all(np.diff(candles.open_time) == BAR_MS)
    return candles


def long_every_bar(n: int, first: int, last: int) -> dict[str, np.ndarray]:
    entries = np.zeros(n, dtype=bool)
    entries[first:last] = True
    return {"long_entry": entries, "long_exit": np.zeros(n, dtype=bool)}


@dataclass
class Reference:
    trades: list[dict] = field(default_factory=list)
    blocked: Counter = field(default_factory=Counter)
    blocked_total: int = 0
    daily_limit_reached_ms: list[int] = field(default_factory=list)


def reference_run(candles: CandleArrays, signal: np.ndarray, limits: RiskLimits) -> Reference:
    """Longs exited by their stop only (or at the last close), bar by bar."""
    n = len(candles)
    out = Reference()
    equity = 10_000.0
    day, day_start, day_pnl, reached = None, equity, 0.0, False
    last_stop = None
    bar = 0
    while bar < n - 1:
        if not signal[bar]:
            bar += 1
            continue
        decided_at = int(candles.open_time[bar]) + BAR_MS  # the decision bar's close
        if decided_at // MS_PER_DAY != day:  # a new UTC day starts from the cash at 00:00
            day, day_start, day_pnl, reached = decided_at // MS_PER_DAY, equity, 0.0, False
        refused = []
        if limits.max_daily_loss is not None and reached:
            refused.append("daily_loss")
        if last_stop is not None and bar - last_stop < limits.cooldown_bars:
            refused.append("cooldown")
        if refused:
            out.blocked.update(refused)
            out.blocked_total += 1
            bar += 1
            continue
        price = float(candles.close[bar])
        size = min(
            equity * limits.risk_per_trade / (price * limits.stop_loss),
            limits.max_position_fraction * equity / (price * (1 + FEE)),
            equity / (price * (1 + FEE)),  # spot: leverage 1
        )
        fill = float(candles.open[bar + 1])
        stop = fill * (1 - limits.stop_loss)
        touched = np.flatnonzero(candles.low[bar + 1 :] <= stop)
        if len(touched):
            exit_bar = bar + 1 + int(touched[0])
            exit_price, reason = min(float(candles.open[exit_bar]), stop), "stop_loss"
        else:
            exit_bar, exit_price, reason = n - 1, float(candles.close[-1]), "end"
        entry_fee, exit_fee = size * fill * FEE, size * exit_price * FEE
        gross = size * (exit_price - fill)
        pnl = gross - entry_fee - exit_fee
        exit_day = int(candles.open_time[exit_bar]) // MS_PER_DAY
        if exit_day != day:
            day, day_start, day_pnl, reached = exit_day, equity, 0.0, False
        equity = (equity - entry_fee) + (gross - exit_fee)
        day_pnl += pnl
        limit = limits.max_daily_loss
        if not reached and limit is not None and -day_pnl >= limit * day_start:
            reached = True
            out.daily_limit_reached_ms.append(int(candles.open_time[exit_bar]))
        out.trades.append(
            {
                "entry_bar": bar + 1,
                "exit_bar": exit_bar,
                "size": size,
                "entry_price": fill,
                "exit_price": exit_price,
                "pnl": pnl,
                "exit_reason": reason,
            }
        )
        if reason == "end":
            break
        last_stop = exit_bar
        bar = exit_bar  # the stop bar's close may decide again
    return out


def assert_same_trades(result, reference: Reference) -> None:
    trades = result.trades
    assert len(trades) == len(reference.trades)
    for ours, theirs in zip(trades, reference.trades, strict=True):
        for key, value in theirs.items():
            expected = value if isinstance(value, str) else pytest.approx(value, rel=1e-12)
            assert getattr(ours, key) == expected, key


def test_sizes_come_from_risk_per_trade_on_the_decision_close(two_days):
    # One entry decided at 12:00's close (bar 144): 0.5% of 10,000 = 50 at risk over a 0.3%
    # stop of the close 66,743.67 -> 50 / 200.23101 = 0.249711... BTC (16,666.67 notional
    # is above the equity: capped at 10,000 / (66,743.67 x 1.001) = 0.149677... BTC).
    n = len(two_days)
    signals = long_every_bar(n, 144, 145)
    result = run_backtest(two_days, signals, config=BacktestConfig(fee_rate=FEE), risk=LIMITS)
    trade = result.trades[0]
    close = float(two_days.close[144])
    assert close == 66_743.67
    assert trade.size == pytest.approx(10_000 / (close * 1.001), rel=1e-15)
    assert result.risk.sized_by == {"max_position_fraction": 1}
    # The stop is the profile's 0.3% below the actual fill (the next open), hit the same day.
    assert trade.exit_reason == "stop_loss"
    assert trade.exit_price == pytest.approx(min(trade.entry_price * 0.997, trade.exit_price))
    smaller = replace(LIMITS, risk_per_trade=0.001)  # 10 at risk: 10 / 200.23101 BTC
    sized = run_backtest(two_days, signals, config=BacktestConfig(fee_rate=FEE), risk=smaller)
    assert sized.trades[0].size == pytest.approx(10 / (close * 0.003), rel=1e-12)
    assert sized.risk.sized_by == {"risk_per_trade": 1}


def test_daily_loss_limit_stops_entries_until_utc_midnight(two_days):
    # A long signal on every bar from 03-05 12:00 to 03-06 12:00, 0.3% stops, 1% daily limit.
    n = len(two_days)
    signals = long_every_bar(n, 144, 432)
    limits = replace(LIMITS, max_daily_loss=0.01)
    result = run_backtest(two_days, signals, config=BacktestConfig(fee_rate=FEE), risk=limits)
    reference = reference_run(two_days, signals["long_entry"], limits)
    assert_same_trades(result, reference)
    assert result.risk.blocked == dict(reference.blocked)
    assert result.risk.blocked_total == reference.blocked_total
    # By hand. Each entry is all-in (0.5% risk over a 0.3% stop is 1.67x the equity, capped):
    # the first fills at 12:05 at 66,743.67 for 10,000 / (66,743.67 x 1.001) = 0.149677 BTC,
    # its stop 0.3% lower at 66,543.44 fills at 15:30: 0.149677 x -200.23 - 9.99 - 9.96 =
    # -49.92. Two more stops (15:35 -> 15:55: -49.67; 16:00 -> 16:00: -49.42) make -149.01 by
    # 16:00, past 1% of 10,000: nothing more on March 5. March 6 starts from 9,850.99 at 00:00,
    # and three stops (00:00, 00:10, 01:00 entries: -49.18, -48.93, -48.69) reach its limit of
    # 98.51 at 01:30.
    entries = [t.entry_time for t in result.trades]
    assert [(t - MARCH_5) // 60_000 for t in entries] == [
        12 * 60 + 5,
        15 * 60 + 35,
        16 * 60,
        24 * 60,
        24 * 60 + 10,
        25 * 60,
    ]
    first = result.trades[0]
    assert (first.entry_price, round(first.exit_price, 2), round(first.pnl, 2)) == (
        66_743.67,
        66_543.44,
        -49.92,
    )
    assert [round(t.pnl, 2) for t in result.trades[1:]] == [-49.67, -49.42, -49.18, -48.93, -48.69]
    reached = reference.daily_limit_reached_ms[0]
    assert reached == MARCH_5 + 16 * 3_600_000
    last_on_the_5th = max(
        t.entry_time for t in result.trades if t.entry_time < MARCH_5 + MS_PER_DAY
    )
    first_on_the_6th = min(t.entry_time for t in result.trades if t.entry_time > reached)
    assert last_on_the_5th <= reached
    # Decided at the close of 23:55 (= 00:00), filled at the 00:00 bar's open.
    assert first_on_the_6th == MARCH_5 + MS_PER_DAY
    # Every bar from the one at whose close the limit was known to 23:55 was a refused signal.
    refused_on_the_5th = (MARCH_5 + MS_PER_DAY - reached) // BAR_MS
    assert result.risk.blocked["daily_loss"] >= refused_on_the_5th
    hhmm = f"{reached // 3_600_000 % 24:02d}:{reached // 60_000 % 60:02d}"
    assert result.risk.examples["daily_loss"].startswith(
        f"daily loss limit 1% reached at {hhmm} UTC"
    )


def test_cooldown_skips_exactly_its_bars_after_each_stop(two_days):
    n = len(two_days)
    signals = long_every_bar(n, 144, 432)
    limits = replace(LIMITS, cooldown_bars=12)
    result = run_backtest(two_days, signals, config=BacktestConfig(fee_rate=FEE), risk=limits)
    reference = reference_run(two_days, signals["long_entry"], limits)
    assert_same_trades(result, reference)
    assert result.risk.blocked == dict(reference.blocked)
    # After a stop inside bar b, bars b .. b+11 are refused and b+12's close decides: the next
    # entry fills at bar b+13's open, 13 bars after the stop bar.
    trades = result.trades
    stops = [t for t in trades[:-1] if t.exit_reason == "stop_loss"]
    assert stops
    for before, after in zip(trades, trades[1:], strict=False):
        assert after.entry_bar - before.exit_bar == 13
    assert result.risk.blocked["cooldown"] == 12 * len(stops)
    # By hand, on March 5: stopped at 15:30, re-entered 13 bars later at 16:35 (stopped in
    # that same bar), then 17:40, 19:25, 20:40, 21:45 and 22:50, the last held to the end.
    hhmm = [
        ((t.entry_time - MARCH_5) // 60_000 // 60, (t.entry_time - MARCH_5) // 60_000 % 60)
        for t in trades
    ]
    assert hhmm == [(12, 5), (16, 35), (17, 40), (19, 25), (20, 40), (21, 45), (22, 50)]
    assert [t.exit_reason for t in trades] == ["stop_loss"] * 6 + ["end"]
    assert result.risk.examples["cooldown"] == "cooldown: 0 of 12 bars after a stop-loss"


def test_cooldown_and_daily_limit_together(two_days):
    n = len(two_days)
    signals = long_every_bar(n, 144, 432)
    limits = replace(LIMITS, cooldown_bars=6, max_daily_loss=0.01)
    result = run_backtest(two_days, signals, config=BacktestConfig(fee_rate=FEE), risk=limits)
    reference = reference_run(two_days, signals["long_entry"], limits)
    assert_same_trades(result, reference)
    assert result.risk.blocked == dict(reference.blocked)
    assert result.risk.blocked_total == reference.blocked_total


def test_drawdown_kill_switch_closes_at_the_next_open_and_stops_trading(two_days):
    # One long decided at 15:00's close (bar 180, near the day's top), its stop 6% below the
    # fill: the fall to 59,005 marks the equity down bar by bar and the kill switch trips at the
    # first close 5% below the peak, before the stop. Later signals (bars 300..399) are refused.
    n = len(two_days)
    signals = long_every_bar(n, 180, 181)
    signals["long_entry"][300:400] = True
    limits = RiskLimits(
        risk_per_trade=0.1, max_position_fraction=1.0, stop_loss=0.06, max_drawdown=0.05
    )
    config = BacktestConfig(fee_rate=FEE)
    result = run_backtest(two_days, signals, config=config, risk=limits)

    # By hand: 10% risk over a 6% stop is 1.67x the equity, so the size is capped at all-in;
    # marked at each close from the entry bar on.
    close = two_days.close
    size = 10_000 / (float(close[180]) * (1 + FEE))
    fill = float(two_days.open[181])
    marked = (10_000 - size * fill * FEE) + size * (close[181:] - fill)
    peak = np.maximum(np.maximum.accumulate(marked), 10_000)
    kill_bar = 181 + int(np.argmax(marked <= peak * 0.95))
    assert kill_bar < 300
    assert np.all(two_days.low[181 : kill_bar + 2] > fill * 0.94)  # the stop was not touched

    (trade,) = result.trades
    assert trade.size == pytest.approx(size, rel=1e-15)
    assert trade.exit_reason == "kill_switch"
    assert trade.exit_bar == kill_bar + 1
    assert trade.exit_price == float(two_days.open[kill_bar + 1])
    kill = result.risk.kill_switch
    assert kill.bar == kill_bar
    assert kill.time_ms == int(two_days.open_time[kill_bar]) + BAR_MS
    assert kill.reason.startswith("drawdown kill switch: equity ")
    assert "(limit 5%)" in kill.reason
    assert result.risk.blocked == {"drawdown": 100}
    # The curve is what equity_curve gives for the cut trades: flat after the exit.
    equity, position = equity_curve(close, result.trade_table, 10_000.0)
    np.testing.assert_array_equal(result.equity, equity)
    np.testing.assert_array_equal(result.position, position)
    assert result.kpis.max_drawdown < 0.06


def test_kill_switch_between_trades_blocks_what_follows(two_days):
    # 1% stops at 5% risk (all-in): each stop costs ~1.2% with fees; after enough of them the
    # realised equity is 5% below its peak and no trade follows.
    n = len(two_days)
    signals = long_every_bar(n, 144, 432)
    limits = RiskLimits(
        risk_per_trade=0.05, max_position_fraction=1.0, stop_loss=0.01, max_drawdown=0.05
    )
    result = run_backtest(two_days, signals, config=BacktestConfig(fee_rate=FEE), risk=limits)
    kill = result.risk.kill_switch
    assert kill is not None
    last = result.trades[-1]
    assert last.exit_bar <= kill.bar + 1
    equity, _ = equity_curve(two_days.close, result.trade_table, 10_000.0)
    np.testing.assert_array_equal(result.equity, equity)
    peak = np.maximum(np.maximum.accumulate(equity), 10_000)
    assert np.all(equity[: kill.bar] > peak[: kill.bar] * 0.95)
    # Flat at that close (the stop filled inside the bar): its own signal is refused too.
    assert last.exit_reason == "stop_loss" and last.exit_bar == kill.bar
    refused = int(signals["long_entry"][kill.bar : n - 1].sum())
    assert result.risk.blocked["drawdown"] == refused


def test_a_profile_that_never_binds_changes_only_the_sizes(two_days):
    n = len(two_days)
    signals = long_every_bar(n, 144, 432)
    loose = RiskLimits(risk_per_trade=0.01, max_position_fraction=10.0, stop_loss=0.003)
    with_risk = run_backtest(two_days, signals, config=BacktestConfig(fee_rate=FEE), risk=loose)
    without = run_backtest(two_days, signals, config=BacktestConfig(fee_rate=FEE, stop_loss=0.003))
    assert [t.entry_bar for t in with_risk.trades] == [t.entry_bar for t in without.trades]
    assert [t.exit_bar for t in with_risk.trades] == [t.exit_bar for t in without.trades]
    assert with_risk.risk.blocked == {} and with_risk.risk.kill_switch is None
    assert without.risk is None


def test_the_profiles_stop_and_target_replace_the_configs(two_days):
    n = len(two_days)
    signals = long_every_bar(n, 144, 145)
    config = BacktestConfig(fee_rate=FEE, stop_loss=0.2, take_profit=0.5)
    result = run_backtest(two_days, signals, config=config, risk=LIMITS)
    assert result.config.stop_loss == LIMITS.stop_loss
    assert result.config.take_profit is None
    assert result.trades[0].exit_reason == "stop_loss"


def test_every_entry_of_a_real_strategy_respects_the_limits(btc_5m_candles):
    # ema-cross (longs, shorts and reversals: a cross closes one side and opens the other) over
    # 40 days around March 2024 with a profile: each entry, reversals included, was sized on its
    # decision bar's close within the risk and the position cap.
    from apps.strategies.registry import strategy_spec

    spec = strategy_spec("ema-cross")
    params = spec.defaults()
    first = int(np.searchsorted(btc_5m_candles.open_time, MARCH_5 - 20 * MS_PER_DAY))
    candles = btc_5m_candles.slice(slice(first, first + 288 * 40))
    signals = spec.compute(candles, {}, params)
    limits = RiskLimits(
        risk_per_trade=0.01, max_position_fraction=0.6, stop_loss=0.02, take_profit=0.04
    )
    result = run_backtest(candles, signals, config=BacktestConfig(fee_rate=FEE), risk=limits)
    table = result.trade_table
    assert len(table) > 20 and {-1, 1} <= set(table.side.tolist())
    assert int((table.entry_bar[1:] == table.exit_bar[:-1]).sum()) > 0  # reversals happened
    before = np.r_[10_000.0, table.equity_after[:-1]]
    price = candles.close[table.entry_bar - 1]  # the decision bar's close
    by_risk = before * limits.risk_per_trade / (price * limits.stop_loss)
    cap = before * limits.max_position_fraction / (price * (1 + FEE))
    np.testing.assert_allclose(table.size, np.minimum(by_risk, cap), rtol=1e-12)
    assert sum(result.risk.sized_by.values()) == len(table)


@pytest.mark.parametrize("bars", [1, 2])
def test_tiny_series_with_a_profile(two_days, bars):
    candles = two_days.slice(slice(0, bars))
    result = run_backtest(candles, long_every_bar(bars, 0, bars), risk=LIMITS)
    assert len(result.trades) == (1 if bars == 2 else 0)
    assert result.risk.blocked == {}
