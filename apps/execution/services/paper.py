"""The paper venue: fills a paper bot's orders with the backtest's rules (the engine's own
functions, apps/analytics/engine/rules.py) as each candle becomes known.

- A market order decided at a candle's close fills at the next candle's open, slippage against
  the trader, fee on the notional; an entry without a quantity is sized at the fill with the
  bot's fraction of equity (fee included), as the backtest sizes it.
- Closing legs fill before entries on the same open (a reversal: exit, then the new entry).
- Stop-loss and take-profit are fractions from the entry fill, checked on every bar's high/low
  from the entry bar on (stop first when both are touched; a gap fills at the open), except on a
  bar whose open already closed the position.

Nothing here talks to an exchange: a live venue (next: ccxt through apps/exchanges) keeps the
same order rows and transitions and replaces these simulated fills by the exchange's.
"""

from __future__ import annotations

from apps.analytics.engine import rules
from apps.analytics.engine.trades import EXIT_REASONS, LONG, SIDE_NAMES
from apps.datafeeds.arrays import CandleArrays

from ..models import Bot, BotOrder, BotPosition, OrderLeg, OrderState
from ..orders import client_order_id, order_accepted, order_cancelled, order_fill
from .book import Fill, dec, position_close, position_open
from .journal import Journal
from .risk import entry_check

CLOSING_LEGS = (OrderLeg.EXIT, OrderLeg.CLOSE, OrderLeg.KILL)
EXIT_REASON_OF_LEG = {
    OrderLeg.EXIT: "signal",
    OrderLeg.CLOSE: "close",
    OrderLeg.KILL: "kill_switch",
    OrderLeg.STOP_LOSS: "stop_loss",
    OrderLeg.TAKE_PROFIT: "take_profit",
}


def order_side(position_side: int, closing: bool) -> str:
    buys = position_side == LONG
    return "buy" if buys != closing else "sell"


def order_create(
    *,
    bot: Bot,
    candle_ms: int,
    leg: str,
    position_side: int,
    quantity: float | None = None,
    size_fraction: float | None = None,
    trigger_price: float | None = None,
    kind: str = "market",
    decision_price: float | None = None,
    risk_deferred: bool = False,
) -> BotOrder:
    """The order row, state pending_submit: written before anything is sent or filled."""
    closing = leg != OrderLeg.ENTRY
    return BotOrder.objects.create(
        bot=bot,
        client_order_id=client_order_id(bot_id=bot.pk, candle_ms=candle_ms, leg=leg),
        candle_ms=candle_ms,
        leg=leg,
        side=order_side(position_side, closing),
        position_side=position_side,
        kind=kind,
        quantity=None if quantity is None else dec(quantity),
        size_fraction=size_fraction,
        trigger_price=None if trigger_price is None else dec(trigger_price),
        decision_price=None if decision_price is None else dec(decision_price),
        risk_deferred=risk_deferred,
    )


def paper_submit(order: BotOrder) -> BotOrder:
    """The paper venue accepts every order at once."""
    return order_accepted(order, exchange_order_id=f"paper-{order.client_order_id}")


def _open_position(
    bot: Bot, order: BotOrder, bar_open: float, bar_ms: int, journal: Journal
) -> BotPosition:
    """An entry filled at the bar's open, slippage against it, sized as the backtest sizes it."""
    side = order.position_side
    price = rules.entry_price(bar_open, side, bot.slippage_bps * 1e-4)
    if order.quantity is not None:
        size = float(order.quantity)
    else:
        size = rules.entry_size(order.size_fraction, float(bot.equity), price, bot.fee_rate)
        BotOrder.objects.filter(pk=order.pk).update(quantity=dec(size))
        order.quantity = dec(size)
    fill = Fill(size, price, rules.fee(size, price, bot.fee_rate), bar_ms)
    order = order_fill(
        order, quantity=dec(size), price=dec(price), fee=dec(fill.fee), candle_ms=bar_ms
    )
    return position_open(bot=bot, order=order, fill=fill, journal=journal)


def _close_position(
    bot: Bot,
    position: BotPosition,
    order: BotOrder,
    raw_price: float,
    bar_ms: int,
    reason: str,
    journal: Journal,
) -> None:
    """The whole position sold at `raw_price` (an open, or a stop's level), slippage against it."""
    size = float(position.size)
    price = rules.exit_price(raw_price, position.side, bot.slippage_bps * 1e-4)
    fill = Fill(size, price, rules.fee(size, price, bot.fee_rate), bar_ms)
    if order.quantity is None:
        BotOrder.objects.filter(pk=order.pk).update(quantity=position.size)
        order.quantity = position.size
    order = order_fill(
        order, quantity=position.size, price=dec(price), fee=dec(fill.fee), candle_ms=bar_ms
    )
    position_close(
        bot=bot, position=position, order=order, fill=fill, reason=reason, journal=journal
    )


def paper_bar(
    *,
    bot: Bot,
    position: BotPosition | None,
    bars: CandleArrays,
    i: int,
    journal: Journal,
    live_orders: bool = True,
) -> BotPosition | None:
    """Everything the paper venue does during bar `i` of `bars`: the market orders decided
    before it fill at its open, then a stop or target inside it. Returns the position after.
    `live_orders` False (the bot has none) spares the order query."""
    bar_ms = int(bars.open_time[i])
    bar_open = float(bars.open[i])
    waiting = []
    if live_orders:
        waiting = BotOrder.objects.filter(
            bot=bot,
            kind="market",
            candle_ms__lt=bar_ms,
            state__in=(OrderState.PENDING_SUBMIT, OrderState.OPEN, OrderState.UNKNOWN),
        ).order_by("id")
    closing_first = sorted(waiting, key=lambda o: (o.leg == OrderLeg.ENTRY, o.pk))
    for order in closing_first:
        if order.state == OrderState.PENDING_SUBMIT:
            order = paper_submit(order)
        if order.leg == OrderLeg.ENTRY:
            if order.risk_deferred and not _deferred_check(bot, order, journal):
                continue
            position = _open_position(bot, order, bar_open, bar_ms, journal)
        elif position is not None:
            reason = EXIT_REASON_OF_LEG[order.leg]
            _close_position(bot, position, order, bar_open, bar_ms, reason, journal)
            position = None
    if position is None:  # flat (a reversal's new position is checked from its entry bar on)
        return None
    stop = None if position.stop_price is None else float(position.stop_price)
    target = None if position.target_price is None else float(position.target_price)
    hit = rules.stop_or_target_hit(
        bars.low, bars.high, bars.open, position.side, stop, target, first=i, last=i
    )
    if hit is None:
        return position
    _, raw_price, reason_code = hit
    reason = EXIT_REASONS[reason_code]
    order = order_create(
        bot=bot,
        candle_ms=bar_ms,
        leg=reason,
        position_side=position.side,
        kind="stop",
        trigger_price=stop if reason == "stop_loss" else target,
    )
    order = paper_submit(order)
    _close_position(bot, position, order, raw_price, bar_ms, reason, journal)
    return None


def _deferred_check(bot: Bot, order: BotOrder, journal: Journal) -> bool:
    """A reversal's entry, asked now that its exit has filled (the backtest asks it with the
    state after that exit): sized, or cancelled with the reasons."""
    side = order.position_side
    verdict = entry_check(
        bot, side=side, price=float(order.decision_price), candle_ms=order.candle_ms
    )
    if verdict.allowed:
        if verdict.size is not None:
            BotOrder.objects.filter(pk=order.pk).update(quantity=dec(verdict.size))
            order.quantity = dec(verdict.size)
        return True
    reason = "; ".join(verdict.reasons)
    order_cancelled(order, reason=f"blocked by the risk check: {reason}")
    journal.add(
        "blocked",
        f"entry {SIDE_NAMES[side]} blocked: {reason}",
        candle_ms=order.candle_ms,
        side=side,
        reasons=list(verdict.reasons),
    )
    return False


def marked_equity(bot: Bot, position: BotPosition | None, close: float) -> float:
    """Equity at a close: realised, less the open position's entry fee, plus its mark (the
    engine's equity curve, in its order of operations)."""
    if position is None:
        return float(bot.equity)
    level = float(position.equity_before) - float(position.entry_fee)
    return level + position.side * float(position.size) * (close - float(position.entry_price))
