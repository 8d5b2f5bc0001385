"""Properties of risk_check over random trade sequences (Hypothesis).

An account trades one position at a time on a spot market: each step waits some bars, asks
risk_check for an entry at a random price (with the profile's stop, or sometimes a stop of the
strategy's own), and when allowed holds it for some bars and exits at its stop or at any price no
worse than the stop. Fees, slippage and gaps through the stop are left out: they are the only ways
a real loss at a stop exceeds what was risked (docs/risk.md says so).
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.risk.check import (
    MS_PER_DAY,
    EntryIntent,
    RiskLimits,
    risk_check,
    state_after_exit,
    state_at,
    state_new,
    utc_day_ms,
)

BAR_MS = 300_000
START_MS = 19_800 * MS_PER_DAY + 20 * 3_600_000  # 20:00 UTC: midnights come early
TOLERANCE = 1e-9  # relative: float rounding of the products compared

limits_strategy = st.builds(
    RiskLimits,
    risk_per_trade=st.floats(0.001, 0.1),
    max_position_fraction=st.floats(0.05, 3.0),
    stop_loss=st.floats(0.001, 0.5),
    take_profit=st.none(),
    max_daily_loss=st.one_of(st.none(), st.floats(0.005, 0.5)),
    max_open_positions=st.just(1),
    max_drawdown=st.one_of(st.none(), st.floats(0.05, 0.95)),
    cooldown_bars=st.integers(0, 30),
    leverage=st.floats(1.0, 5.0),
)

step_strategy = st.fixed_dictionaries(
    {
        "wait": st.integers(0, 200),  # bars before the decision
        "side": st.sampled_from([1, -1]),
        "price": st.floats(1.0, 100_000.0),
        "own_stop": st.one_of(st.none(), st.floats(0.0005, 0.3)),  # the strategy's stop
        "hold": st.integers(0, 300),  # bars held
        "at_stop": st.booleans(),
        "outcome": st.floats(0.0, 1.0),  # 0: at the stop .. 1: as far the other way
    }
)


@settings(max_examples=300, deadline=None)
@given(limits=limits_strategy, steps=st.lists(step_strategy, min_size=1, max_size=60))
def test_risk_limits_hold_over_random_trades(limits, steps):
    equity = 10_000.0
    time_ms, bar = START_MS, 0
    state = state_new(equity=equity, time_ms=time_ms)
    last_stop_bar = None
    day_trades: dict[int, list[float]] = defaultdict(list)  # UTC day -> PnL of its exits
    day_start: dict[int, float] = {utc_day_ms(time_ms): equity}

    for step in steps:
        bar += step["wait"]
        time_ms += step["wait"] * BAR_MS
        since = None if last_stop_bar is None else bar - last_stop_bar
        state = state_at(state, time_ms=time_ms, realised_equity=equity, bars_since_stop_loss=since)
        day_start.setdefault(utc_day_ms(time_ms), equity)
        side, price = step["side"], step["price"]
        own = step["own_stop"]
        stop = None if own is None else price * (1 - side * own)
        decision = risk_check(EntryIntent(side, price, time_ms, stop, "X"), state, limits)

        in_cooldown = since is not None and since < limits.cooldown_bars
        today = day_trades[utc_day_ms(time_ms)]
        limit = limits.max_daily_loss
        day_loss_reached = limit is not None and -sum(today) >= limit * state.day_start_equity
        if in_cooldown or day_loss_reached:
            assert not decision.allowed  # no entry during a cooldown or past the daily limit
        if not decision.allowed:
            assert decision.size == 0.0 and decision.reasons
            continue

        size = decision.size
        assert size > 0
        notional = size * price
        # No position exceeds max_position_fraction of equity, nor the equity itself (spot).
        assert notional <= limits.max_position_fraction * equity * (1 + TOLERANCE)
        assert notional <= equity * (1 + TOLERANCE)
        # The loss at the stop never exceeds risk_per_trade of equity.
        distance = side * (price - decision.stop_price)
        assert distance > 0
        assert size * distance <= limits.risk_per_trade * equity * (1 + TOLERANCE)

        # Exit at the stop, or anywhere no worse than it.
        if step["at_stop"]:
            exit_price = decision.stop_price
        else:
            exit_price = decision.stop_price + side * step["outcome"] * 2 * distance
        pnl = side * size * (exit_price - price)
        bar += step["hold"]
        time_ms += step["hold"] * BAR_MS
        before = equity
        equity += pnl
        day_start.setdefault(utc_day_ms(time_ms), before)
        day_trades[utc_day_ms(time_ms)].append(pnl)
        state = state_after_exit(
            state,
            pnl=pnl,
            time_ms=time_ms,
            realised_equity_before=before,
            equity=equity,
            stop_loss_hit=step["at_stop"],
            limits=limits,
        )
        if step["at_stop"]:
            last_stop_bar = bar
        assert equity > 0

    # The day's realised loss never passes max_daily_loss by more than its last trade: every
    # trade of the day but the last was entered, hence closed, while the day was under it.
    if limits.max_daily_loss is not None:
        for day, pnls in day_trades.items():
            before_last = -sum(pnls[:-1])
            assert before_last < limits.max_daily_loss * day_start[day] * (1 + TOLERANCE)
