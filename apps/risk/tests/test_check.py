"""risk_check rule by rule, at the boundaries, with numbers worked out in the comments."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from apps.risk.check import (
    BY_LEVERAGE,
    BY_POSITION_CAP,
    BY_RISK,
    COOLDOWN,
    DAILY_LOSS,
    DRAWDOWN,
    INVALID_INTENT,
    LEVERAGE,
    MAX_OPEN_POSITIONS,
    MS_PER_DAY,
    NO_EQUITY,
    NO_STOP,
    STOP_DISTANCE,
    SYMBOL_OPEN,
    EntryIntent,
    RiskLimits,
    RiskState,
    risk_check,
    state_after_exit,
    state_for_day,
    state_new,
    utc_day_ms,
)

DAY = 20_000 * MS_PER_DAY  # 2024-10-04 00:00 UTC
HOUR = 3_600_000
LIMITS = RiskLimits(
    risk_per_trade=0.01,
    max_position_fraction=1.0,
    stop_loss=0.02,
    take_profit=0.04,
    max_daily_loss=0.03,
    max_open_positions=2,
    max_drawdown=0.2,
    cooldown_bars=12,
)


def intent(**changes) -> EntryIntent:
    values = {"side": 1, "price": 100.0, "time_ms": DAY + 15 * HOUR, "symbol": "BTCUSDT"}
    return EntryIntent(**{**values, **changes})


def state(**changes) -> RiskState:
    return replace(state_new(equity=10_000.0, time_ms=DAY), **changes)


# --- sizing ----------------------------------------------------------------------------------


def test_size_is_equity_times_risk_over_stop_distance():
    # 10,000 x 1% = 100 at risk; stop 2% below 100 = 98, distance 2: 50 units (notional 5,000).
    decision = risk_check(intent(), state(), LIMITS)
    assert decision.allowed and decision.reasons == ()
    assert decision.size == pytest.approx(50.0)
    assert decision.stop_price == pytest.approx(98.0)
    assert decision.take_profit_price == pytest.approx(104.0)
    assert decision.sized_by == BY_RISK


def test_short_stop_is_above_the_entry():
    decision = risk_check(intent(side=-1), state(), LIMITS)
    assert decision.stop_price == pytest.approx(102.0)
    assert decision.take_profit_price == pytest.approx(96.0)
    assert decision.size == pytest.approx(50.0)


def test_the_strategys_stop_replaces_the_profiles():
    # Stop at 95: distance 5, 100 / 5 = 20 units.
    decision = risk_check(intent(stop_price=95.0), state(), LIMITS)
    assert decision.size == pytest.approx(20.0)
    assert decision.stop_price == 95.0


def test_size_is_capped_by_max_position_fraction():
    # Risk sizing: 10,000 x 1% / 0.5 = 200 units = 20,000 notional; cap 0.3 x 10,000 / 100 = 30.
    limits = replace(LIMITS, max_position_fraction=0.3)
    decision = risk_check(intent(stop_price=99.5), state(), limits)
    assert decision.size == pytest.approx(30.0)
    assert decision.sized_by == BY_POSITION_CAP


def test_position_cap_leaves_room_for_the_entry_fee():
    limits = replace(LIMITS, max_position_fraction=0.3)
    decision = risk_check(intent(stop_price=99.5, fee_rate=0.001), state(), limits)
    assert decision.size == pytest.approx(3_000 / 100.1)


def test_spot_never_borrows_whatever_the_profile_leverage():
    # Cap 2 x equity, leverage 3, but spot: 10,000 / 100 = 100 units at most.
    limits = replace(LIMITS, max_position_fraction=2.0, leverage=3.0)
    decision = risk_check(intent(stop_price=99.9), state(), limits)
    assert decision.size == pytest.approx(100.0)
    assert decision.sized_by == BY_LEVERAGE
    margin = risk_check(intent(stop_price=99.9, spot=False), state(), limits)
    assert margin.size == pytest.approx(200.0)
    assert margin.sized_by == BY_POSITION_CAP


def test_leverage_room_shrinks_with_open_notional():
    # Spot: 10,000 of room, 7,000 already used by another position: 30 units at most.
    used = state(open_positions={"ETHUSDT": 1}, open_notional=7_000.0)
    decision = risk_check(intent(stop_price=99.9), used, LIMITS)
    assert decision.size == pytest.approx(30.0)
    assert decision.sized_by == BY_LEVERAGE


def test_no_leverage_room_left_is_refused_in_words():
    used = state(open_positions={"ETHUSDT": 1}, open_notional=10_000.0)
    decision = risk_check(intent(), used, LIMITS)
    assert not decision.allowed and decision.size == 0.0
    assert decision.rules == (LEVERAGE,)
    assert decision.reasons == ("leverage: open positions already use 1.00x equity (limit 1x)",)


# --- stop distance ---------------------------------------------------------------------------


@pytest.mark.parametrize("stop", [100.0, 100.5, 120.0])
def test_zero_or_negative_stop_distance_is_refused_not_divided_by(stop):
    decision = risk_check(intent(stop_price=stop), state(), LIMITS)
    assert not decision.allowed and decision.size == 0.0
    assert decision.rules == (STOP_DISTANCE,)
    assert "must be below its entry (100)" in decision.reasons[0]


def test_a_shorts_stop_below_its_entry_is_refused():
    decision = risk_check(intent(side=-1, stop_price=99.0), state(), LIMITS)
    assert decision.rules == (STOP_DISTANCE,)
    assert "a short's stop (99) must be above its entry (100)" in decision.reasons[0]


def test_nan_stop_is_refused():
    decision = risk_check(intent(stop_price=math.nan), state(), LIMITS)
    assert decision.rules == (STOP_DISTANCE,)


def test_without_any_stop_the_entry_is_refused():
    decision = risk_check(intent(), state(), replace(LIMITS, stop_loss=None))
    assert decision.rules == (NO_STOP,)


@pytest.mark.parametrize("changes", [{"price": 0.0}, {"price": -5.0}, {"side": 0}])
def test_invalid_price_or_side_is_refused(changes):
    assert risk_check(intent(**changes), state(), LIMITS).rules == (INVALID_INTENT,)


def test_no_equity_is_refused():
    decision = risk_check(intent(), state(equity=0.0), replace(LIMITS, max_drawdown=None))
    assert decision.rules == (NO_EQUITY,)


# --- daily loss ------------------------------------------------------------------------------


def test_exactly_at_the_daily_limit_blocks():
    # 3% of 10,000 = 300 lost: reached.
    decision = risk_check(intent(), state(day_realised_pnl=-300.0), LIMITS)
    assert decision.rules == (DAILY_LOSS,)


def test_just_below_the_daily_limit_allows():
    assert risk_check(intent(), state(day_realised_pnl=-299.99), LIMITS).allowed


def test_daily_limit_reason_says_when_in_words():
    after = state_after_exit(
        state(),
        pnl=-310.0,
        time_ms=DAY + 14 * HOUR + 5 * 60_000,
        realised_equity_before=10_000.0,
        equity=9_690.0,
        stop_loss_hit=False,
        limits=LIMITS,
    )
    decision = risk_check(intent(), after, LIMITS)
    assert decision.reasons[0].startswith("daily loss limit 3% reached at 14:05 UTC")
    assert "lost 310.00 of the day's starting 10,000.00" in decision.reasons[0]


def test_the_limit_stays_reached_for_the_day_after_a_later_win():
    reached = state(day_realised_pnl=-100.0, daily_limit_reached_ms=DAY + HOUR)
    assert risk_check(intent(), reached, LIMITS).rules == (DAILY_LOSS,)


def test_utc_midnight_resets_the_daily_limit():
    reached = state(day_realised_pnl=-400.0, daily_limit_reached_ms=DAY + HOUR)
    last_minute = intent(time_ms=DAY + MS_PER_DAY - 1)
    midnight = intent(time_ms=DAY + MS_PER_DAY)
    assert risk_check(last_minute, reached, LIMITS).rules == (DAILY_LOSS,)
    assert risk_check(midnight, reached, LIMITS).allowed
    # The rolled state starts the new day from the realised equity, with nothing lost yet.
    rolled = state_for_day(reached, time_ms=DAY + MS_PER_DAY, realised_equity=9_600.0)
    assert (rolled.day_ms, rolled.day_start_equity, rolled.day_realised_pnl) == (
        DAY + MS_PER_DAY,
        9_600.0,
        0.0,
    )
    assert rolled.daily_limit_reached_ms is None


def test_an_exit_on_a_new_day_counts_on_that_day():
    yesterday = state(day_realised_pnl=-250.0)
    after = state_after_exit(
        yesterday,
        pnl=-100.0,
        time_ms=DAY + MS_PER_DAY + HOUR,
        realised_equity_before=9_750.0,
        equity=9_650.0,
        stop_loss_hit=True,
        limits=LIMITS,
    )
    # -350 over two days, but only -100 on the new day (start 9,750): the limit is not reached.
    assert after.day_ms == DAY + MS_PER_DAY
    assert after.day_realised_pnl == -100.0
    assert after.daily_limit_reached_ms is None


# --- cooldown --------------------------------------------------------------------------------


def test_cooldown_blocks_with_bars_counted_in_words():
    decision = risk_check(intent(), state(bars_since_stop_loss=4), LIMITS)
    assert decision.reasons == ("cooldown: 4 of 12 bars after a stop-loss",)
    assert decision.rules == (COOLDOWN,)


def test_last_cooldown_bar_blocks_and_the_next_allows():
    assert risk_check(intent(), state(bars_since_stop_loss=11), LIMITS).rules == (COOLDOWN,)
    assert risk_check(intent(), state(bars_since_stop_loss=12), LIMITS).allowed


def test_zero_cooldown_never_blocks():
    limits = replace(LIMITS, cooldown_bars=0)
    assert risk_check(intent(), state(bars_since_stop_loss=0), limits).allowed


def test_a_stop_loss_exit_restarts_the_cooldown():
    after = state_after_exit(
        state(bars_since_stop_loss=40),
        pnl=-100.0,
        time_ms=DAY + HOUR,
        realised_equity_before=10_000.0,
        equity=9_900.0,
        stop_loss_hit=True,
        limits=LIMITS,
    )
    assert after.bars_since_stop_loss == 0


# --- drawdown kill switch ----------------------------------------------------------------------


def test_drawdown_exactly_at_the_limit_kills():
    # Peak 10,000, limit 20%: 8,000 is exactly at it.
    decision = risk_check(intent(), state(equity=8_000.0), LIMITS)
    assert decision.kill_switch and decision.rules == (DRAWDOWN,)
    assert decision.reasons == (
        "drawdown kill switch: equity 8,000.00 is 20% below its peak 10,000.00 (limit 20%)",
    )


def test_drawdown_just_above_the_limit_allows():
    decision = risk_check(intent(), state(equity=8_000.01), LIMITS)
    assert decision.allowed and not decision.kill_switch


def test_peak_follows_equity_up_only():
    after = state_after_exit(
        state(),
        pnl=500.0,
        time_ms=DAY + HOUR,
        realised_equity_before=10_000.0,
        equity=10_500.0,
        stop_loss_hit=False,
        limits=LIMITS,
    )
    assert after.peak_equity == 10_500.0
    lower = state_after_exit(
        after,
        pnl=-200.0,
        time_ms=DAY + 2 * HOUR,
        realised_equity_before=10_500.0,
        equity=10_300.0,
        stop_loss_hit=False,
        limits=LIMITS,
    )
    assert lower.peak_equity == 10_500.0


# --- open positions --------------------------------------------------------------------------


def test_max_open_positions_across_bots():
    full = state(open_positions={"ETHUSDT": 1, "SOLUSDT": 1}, open_notional=1_000.0)
    decision = risk_check(intent(), full, LIMITS)
    assert decision.rules == (MAX_OPEN_POSITIONS,)
    assert decision.reasons == ("max open positions: 2 of 2 already open",)
    one = state(open_positions={"ETHUSDT": 1}, open_notional=1_000.0)
    assert risk_check(intent(), one, LIMITS).allowed


def test_one_position_per_symbol():
    held = state(open_positions={"BTCUSDT": 1}, open_notional=1_000.0)
    decision = risk_check(intent(), held, LIMITS)
    assert decision.rules == (SYMBOL_OPEN,)
    assert decision.reasons == ("a position on BTCUSDT is already open",)


# --- combinations ------------------------------------------------------------------------------


def test_every_refusing_rule_is_listed():
    bad = state(
        equity=7_000.0,
        day_realised_pnl=-3_000.0,
        bars_since_stop_loss=0,
        open_positions={"BTCUSDT": 1, "ETHUSDT": 1},
        open_notional=500.0,
    )
    decision = risk_check(intent(stop_price=100.0), bad, LIMITS)
    assert decision.rules == (
        DRAWDOWN,
        DAILY_LOSS,
        COOLDOWN,
        MAX_OPEN_POSITIONS,
        SYMBOL_OPEN,
        STOP_DISTANCE,
    )
    assert len(decision.reasons) == len(decision.rules)
    assert decision.kill_switch and decision.size == 0.0


def test_midnight_lifts_the_daily_limit_but_not_the_cooldown():
    reached = state(day_realised_pnl=-300.0, bars_since_stop_loss=11)
    midnight = intent(time_ms=DAY + MS_PER_DAY)
    assert risk_check(midnight, reached, LIMITS).rules == (COOLDOWN,)
    assert risk_check(midnight, replace(reached, bars_since_stop_loss=12), LIMITS).allowed


def test_rules_switched_off_never_block():
    off = RiskLimits(risk_per_trade=0.01, max_position_fraction=1.0, stop_loss=0.02)
    worst = state(
        equity=1_000.0, day_realised_pnl=-9_000.0, daily_limit_reached_ms=DAY, open_notional=0.0
    )
    assert risk_check(intent(), worst, off).allowed


def test_utc_day_of_a_time():
    assert utc_day_ms(DAY + MS_PER_DAY - 1) == DAY
    assert utc_day_ms(DAY + MS_PER_DAY) == DAY + MS_PER_DAY
