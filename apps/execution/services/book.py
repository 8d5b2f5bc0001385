"""One book of a bot's fills, paper and live alike: an opening fill makes the position, a closing
fill (all of it, or part) makes a trade and moves the realised equity by the backtest's PnL rule
(`engine/rules.fill_close`). The venues only say what filled: the paper venue decides its price
and commission by the backtest's rules (floats, so that a paper bot equals the backtest), the
live venue reads what the exchange filled (Decimals, so that the books equal the account).

A position's cost is what its entry paid: size x entry price + entry fee, all in quote; an
exchange that takes its commission in the base asset (Binance, on a buy) leaves a position of
what the account received, the commission counted in quote at the fill price.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.analytics.engine import rules
from apps.analytics.engine.trades import SIDE_NAMES

from ..models import Bot, BotOrder, BotPosition, BotTrade
from .journal import Journal
from .risk import exit_recorded, protective_fractions

Number = float | Decimal


def dec(value: float) -> Decimal:
    """The shortest decimal that reads back as the same float."""
    return Decimal(repr(float(value)))


def stored(value: Number) -> Decimal:
    """A money column's value: a Decimal as it is, a float as its shortest decimal."""
    return value if isinstance(value, Decimal) else dec(value)


def words(value: Number) -> str:
    """A quantity or price as people read it: 43846.01, not 43846.010000000000000000."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return f"{value:.8g}"


@dataclass(frozen=True)
class Fill:
    """What an order filled: `quantity` base units at the average `price`, `fee` the whole
    commission in quote, of which `fee_base` (in base units) was taken from what an entry
    received; during the bar opening at `time_ms`. Floats (paper) or Decimals (live)."""

    quantity: Number
    price: Number
    fee: Number
    time_ms: int
    fee_base: Number = 0

    def number(self, value: Number) -> Number:
        """A stored value in this fill's arithmetic (float for paper, Decimal for live)."""
        return float(value) if isinstance(self.price, float) else Decimal(value)


def position_open(*, bot: Bot, order: BotOrder, fill: Fill, journal: Journal) -> BotPosition:
    """The position an entry's fill makes, with its stop and target from the fill price."""
    side, price = order.position_side, fill.price
    size = fill.quantity - fill.fee_base  # what the account received
    stop, target = rules.protective_levels(float(price), side, *protective_fractions(bot))
    position = BotPosition.objects.create(
        bot=bot,
        side=side,
        size=stored(size),
        entry_price=stored(price),
        entry_fee=stored(fill.fee),
        entry_time_ms=fill.time_ms,
        equity_before=bot.equity,
        stop_price=None if stop is None else dec(stop),
        target_price=None if target is None else dec(target),
        entry_order=order,
    )
    journal.add(
        "fill",
        f"{order.side} {words(fill.quantity)} at {words(price)} ({order.client_order_id})",
        candle_ms=fill.time_ms,
        order=order.client_order_id,
        leg=order.leg,
        price=float(price),
        quantity=float(fill.quantity),
        fee=float(fill.fee),
    )
    journal.add(
        "position",
        f"{SIDE_NAMES[side]} {words(size)} at {words(price)}",
        candle_ms=fill.time_ms,
        side=side,
        size=float(size),
        entry_price=float(price),
        stop_price=stop,
        target_price=target,
    )
    return position


def position_close(
    *,
    bot: Bot,
    position: BotPosition,
    order: BotOrder,
    fill: Fill,
    reason: str,
    journal: Journal,
    complete: bool = True,
) -> BotPosition | None:
    """The trade a closing fill makes; the realised equity moves by its PnL. `complete`: the
    order will fill no more, so the whole position is closed (a live close sells it truncated
    to the lot step: the dust is written off); otherwise only the share sold is, and the rest
    stays the position (returned; None once flat)."""
    size = fill.number(position.size)
    sold = min(fill.quantity, size)
    share = 1 if complete else sold / size
    closed = rules.fill_close(
        side=position.side,
        size=size,
        entry_price=fill.number(position.entry_price),
        entry_fee=fill.number(position.entry_fee),
        sold=sold,
        exit_price=fill.price,
        exit_fee=fill.fee,
        equity_before=fill.number(position.equity_before),
        share=share,
    )
    _trade_book(bot, position, order, fill, sold, share, closed, reason)
    journal.add(
        "fill",
        f"{order.side} {words(sold)} at {words(fill.price)} ({order.client_order_id}, {reason})",
        candle_ms=fill.time_ms,
        order=order.client_order_id,
        leg=order.leg,
        price=float(fill.price),
        quantity=float(sold),
        fee=float(fill.fee),
        pnl=float(closed.pnl),
        exit_reason=reason,
    )
    remaining = size - sold
    if complete or remaining <= 0:
        position.delete()
        journal.add(
            "position",
            "flat",
            candle_ms=fill.time_ms,
            side=0,
            equity=float(bot.equity),
            pnl=float(closed.pnl),
        )
        return None
    return _rest_kept(bot, position, fill, remaining, share, journal)


def _trade_book(
    bot: Bot,
    position: BotPosition,
    order: BotOrder,
    fill: Fill,
    sold: Number,
    share: Number,
    closed: rules.ClosedTrade,
    reason: str,
) -> None:
    """The trade row, the bot's realised equity and the risk state's record of the exit."""
    BotTrade.objects.create(
        bot=bot,
        number=BotTrade.objects.filter(bot=bot).count(),
        side=SIDE_NAMES[position.side],
        entry_time=position.entry_time_ms,
        exit_time=fill.time_ms,
        size=stored(sold),
        entry_price=position.entry_price,
        exit_price=stored(fill.price),
        entry_fee=stored(share * fill.number(position.entry_fee)),
        exit_fee=stored(fill.fee),
        pnl=stored(closed.pnl),
        return_fraction=float(closed.return_fraction),
        exit_reason=reason,
        entry_order=position.entry_order,
        exit_order=order,
    )
    bot.equity = stored(closed.equity_after)
    exit_recorded(
        bot,
        pnl=float(closed.pnl),
        time_ms=fill.time_ms,
        equity=float(closed.equity_after),
        stop_loss_hit=reason == "stop_loss",
    )


def _rest_kept(
    bot: Bot,
    position: BotPosition,
    fill: Fill,
    remaining: Number,
    share: Number,
    journal: Journal,
) -> BotPosition:
    """What a partial close leaves: its entry fee and realised equity scaled so that its mark
    and its next close stay exact."""
    position.size = stored(remaining)
    position.entry_fee = stored(fill.number(position.entry_fee) * (1 - share))
    position.equity_before = bot.equity
    position.save(update_fields=["size", "entry_fee", "equity_before"])
    journal.add(
        "position",
        f"{SIDE_NAMES[position.side]} {words(remaining)} left",
        candle_ms=fill.time_ms,
        side=position.side,
        size=float(remaining),
    )
    return position
