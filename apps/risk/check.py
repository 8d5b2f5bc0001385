"""The risk check (SPEC §9): one pure function decides whether an entry may be taken, and its size.

No Django, no I/O: backtests (apps/analytics/engine) and bots (apps/execution) call the same
`risk_check`, so a bot and its backtest size and block identically. docs/risk.md has every rule.

- `RiskLimits`: a risk profile's values (fractions, not percent).
- `EntryIntent`: what the strategy wants to do (side, expected price, its own stop if any, when).
- `RiskState`: where the account stands (equity and its peak, the UTC day's starting equity and
  realised PnL, open positions, bars since the last stop-loss). `state_*` helpers keep it.
- `Decision(allowed, size, reasons)`: reasons in words, and a rule code per reason for counting.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

MS_PER_DAY = 86_400_000

# Rule codes: stable keys (blocked entries are counted per code); the words are in `reasons`.
DRAWDOWN = "drawdown"
DAILY_LOSS = "daily_loss"
COOLDOWN = "cooldown"
MAX_OPEN_POSITIONS = "max_open_positions"
SYMBOL_OPEN = "symbol_open"
INVALID_INTENT = "invalid_intent"
NO_STOP = "no_stop"
STOP_DISTANCE = "stop_distance"
NO_EQUITY = "no_equity"
LEVERAGE = "leverage"
RULES = (
    DRAWDOWN,
    DAILY_LOSS,
    COOLDOWN,
    MAX_OPEN_POSITIONS,
    SYMBOL_OPEN,
    INVALID_INTENT,
    NO_STOP,
    STOP_DISTANCE,
    NO_EQUITY,
    LEVERAGE,
)

# What set the size of an allowed entry.
BY_RISK = "risk_per_trade"
BY_POSITION_CAP = "max_position_fraction"
BY_LEVERAGE = "leverage"

_NO_POSITIONS: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """A risk profile's values. None switches an optional rule off."""

    risk_per_trade: float  # fraction of equity lost if the stop is hit
    max_position_fraction: float  # cap on one position's notional / equity
    stop_loss: float | None = None  # fraction from the entry; None: the strategy gives the stop
    take_profit: float | None = None  # fraction from the entry
    max_daily_loss: float | None = None  # fraction of the UTC day's starting equity
    max_open_positions: int | None = None  # across the user's running bots
    max_drawdown: float | None = None  # kill switch: fall from the equity peak
    cooldown_bars: int = 0  # no entry for this many bars after a stop-loss
    leverage: float = 1.0  # most total notional per unit of equity (1 on spot)


@dataclass(slots=True)  # a value: never mutated (not frozen: built per trade, 3x faster)
class EntryIntent:
    side: int  # +1 long, -1 short
    price: float  # the price the entry is expected at: the decision bar's close
    time_ms: int  # when the decision is taken, epoch ms UTC (picks the UTC day)
    stop_price: float | None = None  # the strategy's stop; None: the profile's stop_loss
    symbol: str = ""
    fee_rate: float = 0.0  # per side: the position cap leaves room for the entry fee
    spot: bool = True  # a spot market cannot borrow: leverage 1 whatever the profile says


@dataclass(slots=True)  # a value: never mutated (not frozen: built per trade, 3x faster)
class RiskState:
    equity: float  # now: cash plus open positions marked to market
    peak_equity: float  # highest equity so far (the drawdown's reference)
    day_ms: int  # 00:00 UTC of the day the three day_* fields describe
    day_start_equity: float  # realised equity at that 00:00 (open positions not marked)
    day_realised_pnl: float = 0.0  # net PnL of the trades closed that day, fees included
    daily_limit_reached_ms: int | None = None  # when that day's loss reached the limit
    # symbol -> positions open on it, across the user's running bots
    open_positions: Mapping[str, int] = field(default_factory=lambda: _NO_POSITIONS)
    open_notional: float = 0.0  # sum of |size x price| of the open positions
    bars_since_stop_loss: int | None = None  # bars closed since the last stop-loss; None: never


@dataclass(slots=True)  # a value: never mutated (not frozen: built per trade, 3x faster)
class Decision:
    allowed: bool
    size: float  # base units; 0.0 when refused
    reasons: tuple[str, ...] = ()  # one sentence per rule that refused; empty when allowed
    rules: tuple[str, ...] = ()  # the refusing rules' codes, aligned with `reasons`
    stop_price: float | None = None  # the stop the size was computed for
    take_profit_price: float | None = None
    sized_by: str = ""  # BY_RISK, BY_POSITION_CAP or BY_LEVERAGE
    kill_switch: bool = False  # the drawdown limit is reached: stop trading, say why


def utc_day_ms(time_ms: int) -> int:
    """00:00 UTC of the day `time_ms` falls in."""
    return time_ms - time_ms % MS_PER_DAY


def drawdown_reached(equity, peak, max_drawdown: float):
    """equity <= peak x (1 - max_drawdown): the kill switch's test, written once. Works on
    floats and, element-wise, on NumPy arrays (the backtest tests every bar's close with it)."""
    return equity <= peak * (1.0 - max_drawdown)


def daily_loss_reached(day_realised_pnl: float, day_start_equity: float, limit: float) -> bool:
    """The day's realised loss has reached `limit` of its starting equity (exactly at counts)."""
    return -day_realised_pnl >= limit * day_start_equity


def risk_check(intent: EntryIntent, state: RiskState, limits: RiskLimits) -> Decision:
    """Whether `intent` may be entered under `limits` given `state`, and at what size.

    Every rule is evaluated, so a refusal lists all its reasons. Size (base units) =
    equity x risk_per_trade / stop distance, capped by max_position_fraction x equity / price and
    by the leverage room, both with the entry fee included. A refused intent has size 0.
    """
    rules: list[str] = []
    reasons: list[str] = []
    kill = _state_refusals(intent, state, limits, rules, reasons)
    stop, distance = _stop_distance(intent, limits, rules, reasons)
    equity = state.equity
    if not (math.isfinite(equity) and equity > 0):
        rules.append(NO_EQUITY)
        reasons.append(f"no equity to trade with ({equity:,.2f})")
    if rules:
        return Decision(False, 0.0, tuple(reasons), tuple(rules), stop, None, "", kill)
    return _sized(intent, state, limits, stop, distance)


def _state_refusals(
    intent: EntryIntent, state: RiskState, limits: RiskLimits, rules: list, reasons: list
) -> bool:
    """The rules the account's state decides (drawdown, daily loss, cooldown, open positions),
    added to `rules` and `reasons`; True when the drawdown kill switch is reached."""
    equity = state.equity
    kill = False
    if limits.max_drawdown is not None and drawdown_reached(
        equity, state.peak_equity, limits.max_drawdown
    ):
        kill = True
        rules.append(DRAWDOWN)
        reasons.append(kill_switch_reason(equity, state.peak_equity, limits.max_drawdown))
    time_ms = intent.time_ms
    # The limit holds for the state's own UTC day only (utc_day_ms inlined: runs per trade).
    if limits.max_daily_loss is not None and time_ms - time_ms % MS_PER_DAY == state.day_ms:
        reached_ms = state.daily_limit_reached_ms
        if reached_ms is not None or daily_loss_reached(
            state.day_realised_pnl, state.day_start_equity, limits.max_daily_loss
        ):
            rules.append(DAILY_LOSS)
            reasons.append(_daily_reason(state, limits.max_daily_loss, reached_ms))
    since = state.bars_since_stop_loss
    if since is not None and since < limits.cooldown_bars:
        rules.append(COOLDOWN)
        reasons.append(f"cooldown: {since} of {limits.cooldown_bars} bars after a stop-loss")
    if state.open_positions:
        open_count = sum(state.open_positions.values())
        if limits.max_open_positions is not None and open_count >= limits.max_open_positions:
            rules.append(MAX_OPEN_POSITIONS)
            reasons.append(
                f"max open positions: {open_count} of {limits.max_open_positions} already open"
            )
        if intent.symbol and state.open_positions.get(intent.symbol, 0) > 0:
            rules.append(SYMBOL_OPEN)
            reasons.append(f"a position on {intent.symbol} is already open")
    return kill


def _stop_distance(
    intent: EntryIntent, limits: RiskLimits, rules: list, reasons: list
) -> tuple[float | None, float | None]:
    """The entry's stop (its own, or the profile's stop-loss from the price) and its distance;
    a bad intent or a missing or wrong-sided stop added to `rules` and `reasons`."""
    price, side = intent.price, intent.side
    if side not in (1, -1) or not (math.isfinite(price) and price > 0):
        rules.append(INVALID_INTENT)
        reasons.append(f"invalid entry: side {side!r} at price {price!r}")
        return None, None
    stop = intent.stop_price
    if stop is None and limits.stop_loss is not None:
        stop = price * (1 - side * limits.stop_loss)
    if stop is None:
        rules.append(NO_STOP)
        reasons.append("no stop-loss: sizing by risk per trade needs a stop distance")
        return None, None
    distance = side * (price - stop)
    if not (math.isfinite(distance) and distance > 0):
        rules.append(STOP_DISTANCE)
        where = "below" if side == 1 else "above"
        reasons.append(
            f"stop distance {distance:g} is not positive: a {_side(side)}'s stop "
            f"({stop:g}) must be {where} its entry ({price:g})"
        )
    return stop, distance


def _sized(
    intent: EntryIntent, state: RiskState, limits: RiskLimits, stop: float, distance: float
) -> Decision:
    """An allowed entry's size: by risk, capped by the position fraction and the leverage room
    (refused when no room is left), and its take-profit."""
    price, side, equity = intent.price, intent.side, state.equity
    unit_cost = price * (1 + intent.fee_rate)  # quote currency per base unit, entry fee included
    size = equity * limits.risk_per_trade / distance
    sized_by = BY_RISK
    capped = limits.max_position_fraction * equity / unit_cost
    if capped < size:
        size, sized_by = capped, BY_POSITION_CAP
    leverage = 1.0 if intent.spot else limits.leverage
    room = (leverage * equity - state.open_notional) / unit_cost
    if room < size:
        size, sized_by = room, BY_LEVERAGE
    if not size > 0:
        used = state.open_notional / equity
        return Decision(
            False,
            0.0,
            (f"leverage: open positions already use {used:.2f}x equity (limit {leverage:g}x)",),
            (LEVERAGE,),
            stop,
        )
    target = None
    if limits.take_profit is not None:
        target = price * (1 + side * limits.take_profit)
    return Decision(True, size, (), (), stop, target, sized_by, False)


def _side(side: int) -> str:
    return "long" if side == 1 else "short"


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.4g}%"


def _hhmm(time_ms: int) -> str:
    return datetime.fromtimestamp(time_ms / 1000, UTC).strftime("%H:%M")


def kill_switch_reason(equity: float, peak: float, limit: float) -> str:
    fall = 1 - equity / peak if peak > 0 else 1.0
    return (
        f"drawdown kill switch: equity {equity:,.2f} is {_pct(fall)} below its peak "
        f"{peak:,.2f} (limit {_pct(limit)})"
    )


def _daily_reason(state: RiskState, limit: float, reached_ms: int | None) -> str:
    when = f" at {_hhmm(reached_ms)} UTC" if reached_ms is not None else ""
    loss = max(0.0, -state.day_realised_pnl)
    return (
        f"daily loss limit {_pct(limit)} reached{when} (lost {loss:,.2f} of the day's starting "
        f"{state.day_start_equity:,.2f}); entries resume at 00:00 UTC"
    )


# --- keeping the state -----------------------------------------------------------------------


def state_new(*, equity: float, time_ms: int) -> RiskState:
    """A fresh account: its equity is its peak and the day's starting equity."""
    return RiskState(equity, equity, utc_day_ms(time_ms), equity)


def state_for_day(state: RiskState, *, time_ms: int, realised_equity: float) -> RiskState:
    """The state as seen at `time_ms`: on a later UTC day the day starts afresh from
    `realised_equity` (the cash at its 00:00, open positions not marked), with no loss and no
    limit reached. The same object when the day has not changed."""
    return state_at(
        state,
        time_ms=time_ms,
        realised_equity=realised_equity,
        bars_since_stop_loss=state.bars_since_stop_loss,
    )


def state_at(
    state: RiskState, *, time_ms: int, realised_equity: float, bars_since_stop_loss: int | None
) -> RiskState:
    """`state_for_day` with the bars counted since the last stop-loss brought up to date too:
    what a bot (or the backtest) does before each check. Built in one go (it runs per trade)."""
    day = time_ms - time_ms % MS_PER_DAY  # utc_day_ms, inlined: this runs once per trade
    if day == state.day_ms:
        if bars_since_stop_loss == state.bars_since_stop_loss:
            return state
        day_start, day_pnl, reached = (
            state.day_start_equity,
            state.day_realised_pnl,
            state.daily_limit_reached_ms,
        )
    else:
        day_start, day_pnl, reached = realised_equity, 0.0, None
    return RiskState(
        state.equity,
        state.peak_equity,
        day,
        day_start,
        day_pnl,
        reached,
        state.open_positions,
        state.open_notional,
        bars_since_stop_loss,
    )


def state_after_exit(
    state: RiskState,
    *,
    pnl: float,
    time_ms: int,
    realised_equity_before: float,
    equity: float,
    stop_loss_hit: bool,
    limits: RiskLimits,
) -> RiskState:
    """The state once a trade closed at `time_ms` with net `pnl`: the day's PnL (the day rolls
    first when the exit falls on a later UTC day), the moment the daily limit is reached, the new
    equity and peak, and the cooldown restarted by a stop-loss. Open positions are the caller's
    to update (a bot knows which one closed)."""
    day = time_ms - time_ms % MS_PER_DAY  # utc_day_ms, inlined: this runs once per trade
    if day == state.day_ms:
        day_start, day_pnl, reached = (
            state.day_start_equity,
            state.day_realised_pnl + pnl,
            state.daily_limit_reached_ms,
        )
    else:
        day_start, day_pnl, reached = realised_equity_before, pnl, None
    if (
        reached is None
        and limits.max_daily_loss is not None
        and daily_loss_reached(day_pnl, day_start, limits.max_daily_loss)
    ):
        reached = time_ms
    return RiskState(
        equity,
        max(state.peak_equity, equity),
        day,
        day_start,
        day_pnl,
        reached,
        state.open_positions,
        state.open_notional,
        0 if stop_loss_hit else state.bars_since_stop_loss,
    )
