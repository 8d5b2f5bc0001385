"""The fill rules of the backtest, one bar and one trade at a time (docs/backtesting.md).

The engine applies them over whole series; a paper bot (apps/execution) applies the same
functions candle by candle, so a paper bot and a backtest over the same span fill identically.
Every formula keeps the engine's order of float operations: results agree bit for bit.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .trades import LONG, STOP_LOSS, TAKE_PROFIT


class BarDecisions(NamedTuple):
    """What the signals ask at a bar's close (arrays, or one value per field for one bar)."""

    go_long: np.ndarray  # long entry without a short entry on the same bar
    go_short: np.ndarray  # short entry without a long entry (and shorts allowed)
    close_long: np.ndarray  # a long is closed: long_exit or a short entry
    close_short: np.ndarray  # a short is closed: short_exit or a long entry


def bar_decisions(
    long_entry: np.ndarray,
    short_entry: np.ndarray,
    long_exit: np.ndarray,
    short_exit: np.ndarray,
    allow_short: bool,
) -> BarDecisions:
    go_long = long_entry & ~short_entry  # both on one bar: conflicting, neither
    short_signal = short_entry & ~long_entry
    go_short = short_signal if allow_short else short_signal & False
    # A short entry closes a long even when shorts are disabled: the signal says the long is
    # wrong. It opens the short only when shorts are allowed.
    return BarDecisions(go_long, go_short, long_exit | short_signal, short_exit | go_long)


def entry_price(bar_open: float, side: int, slippage: float) -> float:
    """The fill of an entry at a bar's open, slippage against the trader."""
    return bar_open * (1 + side * slippage)


def exit_price(raw_price: float, side: int, slippage: float) -> float:
    return raw_price * (1 - side * slippage)


def entry_size(size_fraction: float, equity: float, price: float, fee_rate: float) -> float:
    """Units bought with `size_fraction` of the equity, entry fee included (as backtesting.py)."""
    return size_fraction * equity / (price * (1 + fee_rate))


def fee(size: float, price: float, fee_rate: float) -> float:
    return size * price * fee_rate


def protective_levels(
    price: float, side: int, stop_loss: float | None, take_profit: float | None
) -> tuple[float | None, float | None]:
    """Stop and target prices: fractions from the entry fill price (None when not set)."""
    stop = price * (1 - side * stop_loss) if stop_loss else None
    target = price * (1 + side * take_profit) if take_profit else None
    return stop, target


class LevelHits(NamedTuple):
    """Per window: the first bar touching the stop or the target (an index into the arrays; -1
    when none), its raw fill price before slippage (nan when none) and why (STOP_LOSS or
    TAKE_PROFIT; -1 when none)."""

    bar: np.ndarray
    price: np.ndarray
    reason: np.ndarray


def stop_or_target_hits(
    low: np.ndarray,
    high: np.ndarray,
    bar_open: np.ndarray,
    side: int,
    stop: Any,
    target: Any,
    first: Any,
    last: Any,
) -> LevelHits:
    """Positions on `side`, each watched over its window of bars [first[k], last[k]] (indices
    into the arrays, inclusive) with its stop[k] and target[k] (None: that level is not set):
    the first bar of each window whose range touches a level. The stop wins when both are
    touched; a bar opening beyond a level fills at its open (worse for the stop, better for the
    target). One pass over all the windows' bars, so many short windows cost one window's
    overhead; scalars are one window."""
    first, last = np.atleast_1d(first), np.atleast_1d(last)
    stop = None if stop is None else np.atleast_1d(stop)
    target = None if target is None else np.atleast_1d(target)
    hits = LevelHits(np.full(len(first), -1), np.full(len(first), np.nan), np.full(len(first), -1))
    if stop is None and target is None:
        return hits
    # The windows laid end to end: window k holds flat positions [starts[k], ends[k]).
    lengths = np.maximum(last - first + 1, 0)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    total = int(ends[-1]) if len(ends) else 0
    bars = np.arange(total) + np.repeat(first - starts, lengths)
    adverse, favourable = (low, high) if side == LONG else (high, low)
    # Inclusive comparisons: touching a level fills it.
    stop_hit = target_hit = None
    if stop is not None:
        level, reached = np.repeat(stop, lengths), adverse[bars]
        stop_hit = reached <= level if side == LONG else reached >= level
    if target is not None:
        level, reached = np.repeat(target, lengths), favourable[bars]
        target_hit = reached >= level if side == LONG else reached <= level
    if stop_hit is None or target_hit is None:
        touched = np.flatnonzero(stop_hit if target_hit is None else target_hit)
    else:
        touched = np.flatnonzero(stop_hit | target_hit)
    position = np.r_[touched, total][touched.searchsorted(starts)]
    found = position < ends
    at = position[found]
    bar = bars[at]
    opened = bar_open[bar]
    worse, better = (np.minimum, np.maximum) if side == LONG else (np.maximum, np.minimum)
    if stop_hit is None:
        price, reason = better(opened, target[found]), TAKE_PROFIT
    elif target_hit is None:
        price, reason = worse(opened, stop[found]), STOP_LOSS
    else:
        by_stop = stop_hit[at]
        price = np.where(by_stop, worse(opened, stop[found]), better(opened, target[found]))
        reason = np.where(by_stop, STOP_LOSS, TAKE_PROFIT)
    hits.bar[found], hits.price[found], hits.reason[found] = bar, price, reason
    return hits


def stop_or_target_hit(
    low: np.ndarray,
    high: np.ndarray,
    bar_open: np.ndarray,
    side: int,
    stop: float | None,
    target: float | None,
    first: int,
    last: int,
) -> tuple[int, float, int] | None:
    """stop_or_target_hits for one window: (bar, raw fill price, reason), or None."""
    hits = stop_or_target_hits(low, high, bar_open, side, stop, target, first, last)
    if hits.bar[0] < 0:
        return None
    return int(hits.bar[0]), float(hits.price[0]), int(hits.reason[0])


class ClosedTrade(NamedTuple):
    exit_fee: float
    gross: float
    pnl: float  # net of both fees
    return_fraction: float
    equity_after: float


def trade_close(
    *,
    side: int,
    size: float,
    entry_price: float,
    entry_fee: float,
    exit_price: float,
    fee_rate: float,
    equity_before: float,
) -> ClosedTrade:
    """PnL and realised equity of a closed trade, booked in the order backtesting.py books it;
    `equity_before` is the realised equity before the entry (its fee not yet deducted)."""
    exit_fee = fee(size, exit_price, fee_rate)
    return fill_close(
        side=side,
        size=size,
        entry_price=entry_price,
        entry_fee=entry_fee,
        sold=size,
        exit_price=exit_price,
        exit_fee=exit_fee,
        equity_before=equity_before,
    )


def fill_close(
    *,
    side: int,
    size: Any,
    entry_price: Any,
    entry_fee: Any,
    sold: Any,
    exit_price: Any,
    exit_fee: Any,
    equity_before: Any,
    share: Any = 1,
) -> ClosedTrade:
    """The one PnL rule of a closing fill, for the backtest, the paper bot and the live bot
    (floats or Decimals alike): `share` of a position of `size` (entered at `entry_price`,
    paying `entry_fee`) closed by `sold` units at `exit_price`, paying `exit_fee`.

    gross = side x sold x (exit - entry) + side x (sold - share x size) x entry
    pnl = gross - share x entry_fee - exit_fee;  return = pnl / (share x size x entry)

    The second term of gross is 0 when the whole share is sold (the backtest, the paper bot); a
    live close sells the position truncated to the exchange's lot step, and the unsold dust's
    cost is written off. A partial close (share < 1) keeps the rest as the position."""
    gross = side * sold * (exit_price - entry_price) + side * (sold - share * size) * entry_price
    pnl = gross - share * entry_fee - exit_fee
    equity_after = (equity_before - share * entry_fee) + (gross - exit_fee)
    return ClosedTrade(exit_fee, gross, pnl, pnl / (share * size * entry_price), equity_after)
