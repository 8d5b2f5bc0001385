"""The engine's rules on a few bars each, numbers worked out by hand in the comments.

Bars are 5 minutes apart (open_time = index * 300,000 ms). Capital 10,000 unless said.
"""

from __future__ import annotations

import numpy as np
import pytest

from apps.analytics.engine import (
    BacktestConfig,
    SignalArrays,
    backtest_strategy,
    run_backtest,
)
from apps.datafeeds.arrays import CandleArrays
from apps.strategies.registry import InvalidParameters, strategy_spec

BAR_MS = 300_000
NO_FEES = BacktestConfig(fee_rate=0.0)


def make_candles(ohlc: list[tuple[float, float, float, float]]) -> CandleArrays:
    rows = [(i * BAR_MS, o, h, low, c, 1.0) for i, (o, h, low, c) in enumerate(ohlc)]
    return CandleArrays.from_rows(np.array(rows, dtype=np.float64))


def flat_bars(*opens: float) -> CandleArrays:
    """Bars that open at the given prices and close at the next bar's open, with a range of
    +-0.5 around their open and close, too narrow to touch the stops used below."""
    closes = [*opens[1:], opens[-1]]
    return make_candles(
        [(o, max(o, c) + 0.5, min(o, c) - 0.5, c) for o, c in zip(opens, closes, strict=True)]
    )


def signals(n: int, **bars: list[int]) -> dict[str, np.ndarray]:
    """Boolean arrays of length n, True at the listed bars: signals(5, long_entry=[0])."""
    out = {}
    for name in ("long_entry", "short_entry", "long_exit", "short_exit"):
        array = np.zeros(n, dtype=bool)
        array[bars.get(name, [])] = True
        out[name] = array
    return out


def only_trade(result):
    assert len(result.trades) == 1
    return result.trades[0]


# --- fills, fees, slippage -------------------------------------------------------------------


def test_long_fills_at_next_open_with_fees():
    candles = flat_bars(100, 102, 104, 110, 108)
    result = run_backtest(candles, signals(5, long_entry=[0], long_exit=[2]), config=None)
    trade = only_trade(result)
    # Decided at bar 0's close, filled at bar 1's open (102); exit decided at bar 2, filled at
    # bar 3's open (110). Units: the whole 10,000 pays notional + 0.1% fee:
    # units = 10,000 / (102 * 1.001) = 10,000 / 102.102 = 97.941274...
    units = 10_000 / (102 * 1.001)
    assert trade.side == "long"
    assert (trade.entry_bar, trade.exit_bar) == (1, 3)
    assert (trade.entry_time, trade.exit_time) == (BAR_MS, 3 * BAR_MS)
    assert (trade.entry_price, trade.exit_price) == (102, 110)
    assert trade.size == pytest.approx(97.941274, rel=1e-7)
    assert trade.size == pytest.approx(units, rel=1e-15)
    # entry fee = units * 102 * 0.001 = 10,000 * 0.001 / 1.001 = 9.990010
    # exit fee = units * 110 * 0.001 = 10.773540
    assert trade.entry_fee == pytest.approx(9.990010, rel=1e-6)
    assert trade.exit_fee == pytest.approx(10.773540, rel=1e-6)
    # pnl = units * (110 - 102) - fees = 783.530195 - 20.763550 = 762.766645
    assert trade.pnl == pytest.approx(762.766645, rel=1e-8)
    # return = pnl / (units * 102) = (8 - 0.001 * (102 + 110)) / 102 = 7.788 / 102 = 0.0763529
    assert trade.return_fraction == pytest.approx(7.788 / 102, rel=1e-12)
    assert trade.exit_reason == "signal"
    # Closes are 102, 104, 110, 108, 108 (each bar closes at the next open). Equity at each
    # close: 10,000 ; held: 10,000 - 9.990010 + units * (104 - 102) = 9,990.009990 + 195.882549 ;
    # held: 9,990.009990 + units * 8 = 10,773.540185 ; realised 10,762.766645 ; unchanged.
    expected = [10_000, 10_185.892539, 10_773.540185, 10_762.766645, 10_762.766645]
    np.testing.assert_allclose(result.equity, expected, rtol=1e-9)
    np.testing.assert_array_equal(result.position, [0, 1, 1, 0, 0])
    assert result.kpis.final_equity == pytest.approx(10_762.766645, rel=1e-9)
    assert result.kpis.fees_paid == pytest.approx(20.763550, rel=1e-6)


def test_slippage_moves_every_fill_against_the_trader():
    candles = flat_bars(100, 102, 104, 110, 108)
    config = BacktestConfig(fee_rate=0.0, slippage_bps=10)  # 0.1%
    trade = only_trade(
        run_backtest(candles, signals(5, long_entry=[0], long_exit=[2]), config=config)
    )
    # Buy at 102 * 1.001 = 102.102, sell at 110 * 0.999 = 109.89.
    assert trade.entry_price == pytest.approx(102.102, rel=1e-15)
    assert trade.exit_price == pytest.approx(109.89, rel=1e-15)
    # units = 10,000 / 102.102 = 97.941274 ; pnl = units * (109.89 - 102.102) = units * 7.788
    # = 762.766645 (the same as 0.1% fees each way in the test above, to the cent)
    assert trade.pnl == pytest.approx(10_000 / 102.102 * 7.788, rel=1e-12)
    assert trade.pnl == pytest.approx(762.766645, rel=1e-8)


def test_short_profits_when_price_falls():
    candles = flat_bars(100, 100, 95, 90, 90)
    config = BacktestConfig(fee_rate=0.001, slippage_bps=10)
    trade = only_trade(
        run_backtest(candles, signals(5, short_entry=[0], short_exit=[2]), config=config)
    )
    # Sell at 100 * 0.999 = 99.9; buy back at 90 * 1.001 = 90.09.
    # units = 10,000 / (99.9 * 1.001) = 10,000 / 99.9999 = 100.0001
    units = 10_000 / (99.9 * 1.001)
    assert trade.side == "short"
    assert (trade.entry_price, trade.exit_price) == pytest.approx((99.9, 90.09), rel=1e-15)
    assert trade.size == pytest.approx(100.0001, rel=1e-6)
    # pnl = units * (99.9 - 90.09) - units * (99.9 + 90.09) * 0.001
    #     = 981.000981 - 18.999019 = 962.001962
    assert trade.pnl == pytest.approx(units * 9.81 - units * 189.99 * 0.001, rel=1e-12)
    assert trade.pnl == pytest.approx(962.001962, rel=1e-8)


def test_position_size_is_a_fraction_of_equity():
    candles = flat_bars(100, 100, 120, 120)
    config = BacktestConfig(size=0.25, fee_rate=0.0)
    result = run_backtest(candles, signals(4, long_entry=[0], long_exit=[1]), config=config)
    trade = only_trade(result)
    # 25% of 10,000 at 100: 25 units; +20 each: pnl 500; final equity 10,500.
    assert trade.size == pytest.approx(25.0, rel=1e-15)
    assert trade.pnl == pytest.approx(500.0, rel=1e-12)
    assert result.kpis.final_equity == pytest.approx(10_500.0, rel=1e-12)


def test_the_next_trade_is_sized_on_the_equity_after_the_last():
    candles = flat_bars(100, 100, 120, 120, 100, 100)
    config = BacktestConfig(size=0.5, fee_rate=0.0)
    result = run_backtest(candles, signals(6, long_entry=[0, 2], long_exit=[1, 3]), config=config)
    first, second = result.trades
    # First: 50 units, +20 each = +1,000 -> 11,000. Second: half of 11,000 at 120 = 45.83 units.
    assert first.pnl == pytest.approx(1_000.0)
    assert (second.entry_bar, second.entry_price) == (3, 120)
    assert second.size == pytest.approx(5_500 / 120, rel=1e-15)


# --- stop-loss and take-profit ---------------------------------------------------------------


def sl_tp_case(bar2: tuple[float, float, float, float], **config) -> object:
    """Long entered at bar 1's open (100); 2% stop at 98, 5% target at 105; bar 2 as given."""
    candles = make_candles(
        [(100, 100.5, 99.5, 100), (100, 100.5, 99.5, 100), bar2, (99, 99, 99, 99)]
    )
    config = BacktestConfig(fee_rate=0.0, stop_loss=0.02, take_profit=0.05, **config)
    return run_backtest(candles, signals(4, long_entry=[0]), config=config)


def test_stop_loss_hit_intrabar_fills_at_the_stop():
    trade = only_trade(sl_tp_case((100, 101, 97, 99)))  # low 97 <= 98
    assert (trade.exit_bar, trade.exit_reason) == (2, "stop_loss")
    assert trade.exit_price == pytest.approx(98.0, rel=1e-15)
    # 100 units * -2 = -200
    assert trade.pnl == pytest.approx(-200.0, rel=1e-12)


def test_take_profit_hit_intrabar_fills_at_the_target():
    trade = only_trade(sl_tp_case((101, 106, 100.5, 104)))  # high 106 >= 105
    assert (trade.exit_bar, trade.exit_reason) == (2, "take_profit")
    assert trade.exit_price == pytest.approx(105.0, rel=1e-15)


def test_stop_comes_first_when_both_are_touched_in_one_bar():
    trade = only_trade(sl_tp_case((100, 106, 97, 104)))  # 97 <= 98 and 106 >= 105
    assert (trade.exit_reason, trade.exit_price) == ("stop_loss", pytest.approx(98.0))


def test_gap_through_the_stop_fills_at_the_open():
    trade = only_trade(sl_tp_case((96, 97, 95, 96)))  # opens below 98: the open, worse
    assert (trade.exit_reason, trade.exit_price) == ("stop_loss", 96.0)


def test_gap_through_the_target_fills_at_the_open():
    trade = only_trade(sl_tp_case((107, 108, 106, 107)))  # opens above 105: the open, better
    assert (trade.exit_reason, trade.exit_price) == ("take_profit", 107.0)


def test_levels_touched_exactly_fill():
    trade = only_trade(sl_tp_case((100, 101, 98, 99)))  # low == 98
    assert (trade.exit_reason, trade.exit_price) == ("stop_loss", 98.0)


def test_stop_is_checked_on_the_entry_fill_bar():
    candles = make_candles([(100, 100.5, 99.5, 100), (100, 100.5, 97, 99), (99, 99, 99, 99)])
    config = BacktestConfig(fee_rate=0.0, stop_loss=0.02)
    trade = only_trade(run_backtest(candles, signals(3, long_entry=[0]), config=config))
    # Filled at bar 1's open (100), and bar 1's low (97) reaches the stop (98) in that bar.
    assert (trade.entry_bar, trade.exit_bar, trade.exit_reason) == (1, 1, "stop_loss")
    assert trade.exit_price == pytest.approx(98.0)
    assert run_backtest(candles, signals(3, long_entry=[0]), config=config).position.tolist() == [
        0,
        0,
        0,
    ]


def test_levels_are_fractions_of_the_fill_price_with_slippage():
    # Fill at 100 * 1.001 = 100.1; stop 2% below the fill = 98.098; low 98.1 does not reach it,
    # the next bar's 98.09 does; the stop sells at 98.098 * 0.999.
    candles = make_candles(
        [(100, 100, 100, 100), (100, 100.5, 99.5, 100), (100, 100, 98.1, 99), (99, 99, 98.09, 99)]
    )
    config = BacktestConfig(fee_rate=0.0, slippage_bps=10, stop_loss=0.02)
    trade = only_trade(run_backtest(candles, signals(4, long_entry=[0]), config=config))
    assert trade.exit_bar == 3
    assert trade.exit_price == pytest.approx(100.1 * 0.98 * 0.999, rel=1e-15)


def test_short_stop_and_target_mirror_the_long_ones():
    # Short from 100: stop 2% above (102, on the high), target 5% below (95, on the low).
    base = [(100, 100.5, 99.5, 100), (100, 100.5, 99.5, 100)]
    config = BacktestConfig(fee_rate=0.0, stop_loss=0.02, take_profit=0.05)
    stopped = make_candles([*base, (100, 102.5, 99, 101)])
    target = make_candles([*base, (100, 100.5, 94, 96)])
    gapped = make_candles([*base, (104, 105, 103, 104)])
    short = signals(3, short_entry=[0])
    assert only_trade(run_backtest(stopped, short, config=config)).exit_price == pytest.approx(102)
    assert only_trade(run_backtest(target, short, config=config)).exit_price == pytest.approx(95)
    trade = only_trade(run_backtest(gapped, short, config=config))
    assert (trade.exit_reason, trade.exit_price) == ("stop_loss", 104.0)
    assert trade.pnl == pytest.approx(-400.0)  # 100 units, bought back 4 higher


def test_a_signal_exit_fills_at_the_open_before_a_stop_in_that_bar():
    # Exit decided at bar 2, so bar 3's open (101) fills it; bar 3 then trades down through
    # the stop (98), which no longer applies.
    candles = make_candles(
        [(100, 100, 100, 100), (100, 101, 99.5, 100), (100, 101, 99.5, 101), (101, 101, 90, 91)]
    )
    config = BacktestConfig(fee_rate=0.0, stop_loss=0.02)
    trade = only_trade(
        run_backtest(candles, signals(4, long_entry=[0], long_exit=[2]), config=config)
    )
    assert (trade.exit_bar, trade.exit_reason, trade.exit_price) == (3, "signal", 101.0)


def test_after_a_stop_the_same_bar_close_may_enter_again():
    candles = make_candles(
        [(100, 100, 100, 100), (100, 100.5, 97, 99), (99, 99.5, 98.5, 99), (99, 99, 99, 99)]
    )
    config = BacktestConfig(fee_rate=0.0, stop_loss=0.02)
    result = run_backtest(candles, signals(4, long_entry=[0, 1]), config=config)
    first, second = result.trades
    assert (first.exit_bar, first.exit_reason) == (1, "stop_loss")
    assert (second.entry_bar, second.entry_price) == (2, 99.0)


# --- position management ---------------------------------------------------------------------


def test_open_position_is_closed_at_the_last_close():
    candles = make_candles([(100, 101, 99, 100), (100, 101, 99, 100), (100, 112, 99, 111)])
    result = run_backtest(candles, signals(3, long_entry=[0], long_exit=[2]), config=NO_FEES)
    trade = only_trade(result)
    # The exit decided at the last bar has no next open: the position closes at its close.
    assert (trade.exit_bar, trade.exit_price, trade.exit_reason) == (2, 111.0, "end")
    assert trade.exit_time == 3 * BAR_MS  # the last bar's close time
    assert result.open_at_end
    assert result.equity[-1] == pytest.approx(10_000 + 100 * 11)
    assert result.position[-1] == 0


def test_no_signal_no_trade():
    candles = flat_bars(100, 101, 102)
    result = run_backtest(candles, signals(3), config=None)
    assert result.trades == []
    np.testing.assert_array_equal(result.equity, [10_000, 10_000, 10_000])
    assert not result.open_at_end
    assert result.kpis.number_of_trades == 0
    assert result.kpis.win_rate is None
    assert result.kpis.total_return == 0


def test_an_entry_on_the_last_bar_is_ignored():
    result = run_backtest(flat_bars(100, 101, 102), signals(3, long_entry=[2]), config=None)
    assert result.trades == []


def test_entries_while_in_a_position_are_ignored():
    candles = flat_bars(100, 101, 102, 103, 104, 105, 106)
    result = run_backtest(
        candles, signals(7, long_entry=[0, 1, 2, 4], long_exit=[3]), config=NO_FEES
    )
    first, second = result.trades
    assert (first.entry_bar, first.exit_bar) == (1, 4)
    # The entry at bar 4 (after the exit filled at bar 4's open) opens at bar 5.
    assert (second.entry_bar, second.exit_reason) == (5, "end")


def test_conflicting_entries_on_one_bar_open_nothing():
    candles = flat_bars(100, 101, 102, 103)
    result = run_backtest(candles, signals(4, long_entry=[0], short_entry=[0]), config=None)
    assert result.trades == []


def test_an_opposite_entry_reverses_on_the_same_open():
    candles = flat_bars(100, 100, 110, 110, 100, 100)
    result = run_backtest(candles, signals(6, long_entry=[0], short_entry=[2]), config=NO_FEES)
    long, short = result.trades
    # Long 100 units from 100, closed at bar 3's open (110): +1,000 -> 11,000. The short opens
    # on that same open with the new equity: 100 units at 110, closed at the end at 100: +1,000.
    assert (long.exit_bar, long.exit_price, long.exit_reason) == (3, 110.0, "signal")
    assert (short.side, short.entry_bar, short.entry_price) == ("short", 3, 110.0)
    assert short.size == pytest.approx(100.0)
    assert short.pnl == pytest.approx(1_000.0)
    np.testing.assert_array_equal(result.position, [0, 1, 1, -1, -1, 0])


def test_with_shorts_disabled_a_short_entry_only_closes_a_long():
    candles = flat_bars(100, 100, 110, 110, 100, 100)
    config = BacktestConfig(fee_rate=0.0, allow_short=False)
    result = run_backtest(candles, signals(6, long_entry=[0], short_entry=[2, 4]), config=config)
    trade = only_trade(result)
    assert (trade.side, trade.exit_bar, trade.exit_reason) == ("long", 3, "signal")


def test_with_shorts_disabled_short_entries_never_open():
    result = run_backtest(
        flat_bars(100, 90, 80, 70),
        signals(4, short_entry=[0]),
        config=BacktestConfig(allow_short=False),
    )
    assert result.trades == []


def test_trading_stops_once_equity_is_gone():
    # Short 100 units from 100; the price triples: the loss (-200 per unit) exceeds the equity.
    candles = flat_bars(100, 100, 300, 300, 300, 300)
    result = run_backtest(candles, signals(6, short_entry=[0, 3], short_exit=[1]), config=NO_FEES)
    trade = only_trade(result)
    assert trade.pnl == pytest.approx(-20_000.0)


# --- inputs ----------------------------------------------------------------------------------


def test_signals_are_read_from_any_of_the_accepted_shapes():
    candles = flat_bars(100, 102, 104, 110, 108)
    arrays = signals(5, long_entry=[0], long_exit=[2])
    from_dict = run_backtest(candles, arrays, config=None)
    from_arrays = run_backtest(candles, SignalArrays(**arrays), config=None)
    long_only = run_backtest(
        candles, {"long_entry": arrays["long_entry"], "long_exit": arrays["long_exit"]}
    )
    as_floats = run_backtest(candles, {k: v.astype(float) for k, v in arrays.items()})
    for other in (from_arrays, long_only, as_floats):
        np.testing.assert_array_equal(other.equity, from_dict.equity)


def test_signals_of_the_wrong_length_are_rejected():
    with pytest.raises(ValueError, match="long_entry"):
        run_backtest(flat_bars(100, 101), {"long_entry": [True], "long_exit": [False, False]})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("initial_capital", 0),
        ("fee_rate", -0.001),
        ("slippage_bps", -1),
        ("size", 0),
        ("size", 1.5),
        ("stop_loss", 1.0),
        ("take_profit", 0),
    ],
)
def test_invalid_configuration_is_rejected(field, value):
    with pytest.raises(ValueError, match=field):
        BacktestConfig(**{field: value})


def test_empty_candles_give_an_empty_result():
    empty = CandleArrays.from_rows(np.empty((0, 6)))
    result = run_backtest(empty, signals(0), config=None)
    assert result.trades == [] and len(result.equity) == 0
    assert result.kpis.final_equity is None


def test_backtest_strategy_runs_the_registry_strategy():
    rng = np.random.default_rng(7)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 400)))
    opens = np.r_[100, closes[:-1]]
    candles = make_candles(
        [(o, max(o, c) * 1.001, min(o, c) * 0.999, c) for o, c in zip(opens, closes, strict=True)]
    )
    spec = strategy_spec("ema-cross")
    params = {"fast_period": 5, "slow_period": 20}
    config = BacktestConfig(stop_loss=0.02)
    result = backtest_strategy(spec, candles, {}, params, config)
    direct = run_backtest(candles, spec.compute(candles, {}, params), config=config)
    assert len(result.trades) > 3
    assert result.trades == direct.trades
    with pytest.raises(InvalidParameters):
        backtest_strategy(spec, candles, {}, {"fast_period": 30, "slow_period": 20})
