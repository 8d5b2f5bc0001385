"""A live position's stop-loss (and take-profit) resting on the exchange (docs/bots.md, "Stop-loss
/ take-profit on the exchange"): a STOP_LOSS_LIMIT, or an OCO with a TAKE_PROFIT_LIMIT, placed
once the entry filled, replaced when the position's levels or size move, cancelled (and the
cancel confirmed) before any close and once the bot no longer runs. Its rows are orders like the
others: services/live.py sends them (claimed, looked up by client id, resent only after the
not-found window) and live_answers.py books their fills."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.exchanges.exchange_client import OrderNotFound
from apps.exchanges.trading import AccountTrader

from ..models import LIVE_ORDER_STATES, Bot, BotOrder, BotPosition, BotStatus, OrderLeg, OrderState
from ..orders import client_order_id, order_cancelled
from .book import words
from .journal import Journal, order_noted
from .live_answers import (
    LiveSync,
    answer_record,
    cancel_request,
    not_found_window_s,
    order_lookup,
    record_local,
)
from .paper import order_side


def _protections(bot: Bot):
    return BotOrder.objects.filter(bot=bot, leg=OrderLeg.PROTECT, state__in=LIVE_ORDER_STATES)


def protection_cleared(trader: AccountTrader, bot: Bot, sync: LiveSync) -> bool:
    """No protective order of the bot can fill any more: each still open is cancelled and the
    cancel confirmed by a lookup (what it filled meanwhile is booked). False while one may
    still fill (the cancel unanswered, or the order not found yet)."""
    for order in _protections(bot).order_by("id"):
        if order.state == OrderState.PENDING_SUBMIT:
            record_local(order, lambda o: order_cancelled(o, reason="a close came first"))
            continue
        if order.state != OrderState.UNKNOWN:
            cancel_request(trader, bot, order)  # settled by the lookup below
        try:
            found = order_lookup(trader, bot, order)
        except OrderNotFound:
            _not_found_protection(bot, order, sync)
            continue
        answer_record(bot, order, found, sync, trader)
    return not _protections(bot).exists()


def _not_found_protection(bot: Bot, order: BotOrder, sync: LiveSync) -> None:
    """A protection being cancelled that the exchange does not know: past the not-found window
    it never reached the exchange (it is not sent again: a close replaces it)."""
    since = (timezone.now() - order.submitted_at).total_seconds() if order.submitted_at else 1e9
    if order.state == OrderState.UNKNOWN and since >= not_found_window_s():
        record_local(order, lambda o: order_cancelled(o, reason="never placed; a close came"))
    else:
        sync.in_flight.append(f"{order.client_order_id}: not found for {since:.1f} s")


def protection_passed(bot: Bot, order: BotOrder, said: str) -> None:
    """The exchange refused a stop the price has already passed: the position is closed at
    market instead (sent by the same sync), as the backtest's stop on a bar that gaps through
    it fills at the open."""
    with transaction.atomic():
        locked = Bot.objects.select_for_update().get(pk=bot.pk)
        position = BotPosition.objects.filter(bot=locked).first()
        if position is None:
            return
        close = BotOrder.objects.create(
            bot=locked,
            client_order_id=f"{order.client_order_id}m",
            candle_ms=order.candle_ms,
            leg=OrderLeg.STOP_LOSS,
            side=order.side,
            position_side=order.position_side,
        )
        journal = Journal(locked)
        order_noted(
            journal,
            close,
            f"the exchange refused the stop ({said[:200]}): the price has passed it; "
            f"stop loss at market ({close.client_order_id})",
            candle_ms=order.candle_ms,
        )
        journal.flush()


def protection_sync(trader: AccountTrader, bot: Bot, sync: LiveSync) -> None:
    """The position's stop-loss (and take-profit) resting on the exchange, as the books say it
    should: placed once the entry filled (sized to what was filled), replaced when the stop,
    the target or the size moved, cancelled once the bot no longer runs or a close is on its
    way. Exactly once, as every order: a row first, then the claimed send."""
    bot.refresh_from_db(fields=["status", "stop_limit_offset"])
    position = BotPosition.objects.filter(bot=bot).first()
    closing = (
        BotOrder.objects.filter(bot=bot, state__in=LIVE_ORDER_STATES)
        .exclude(leg__in=(OrderLeg.ENTRY, OrderLeg.PROTECT))
        .exists()
    )
    current = _protections(bot).order_by("-id").first()
    wanted = (
        bot.status == BotStatus.RUNNING
        and position is not None
        and position.stop_price is not None
        and not closing
    )
    if current is not None and current.state in (OrderState.PENDING_SUBMIT, OrderState.UNKNOWN):
        return  # its send is settled first (by this sync's loop or the next)
    if not wanted:
        if current is not None:
            protection_cleared(trader, bot, sync)
        return
    market = bot.symbol.market_symbol
    size = trader.amount_to_precision(market, position.size)
    if current is not None and (
        current.trigger_price == position.stop_price
        and current.target_price == position.target_price
        and current.quantity == size
    ):
        return  # in place
    if current is not None and not protection_cleared(trader, bot, sync):
        return  # replaced once the old one's cancel is confirmed
    if not BotPosition.objects.filter(bot=bot).exists():
        return  # the old one filled before its cancel: the position is closed
    _protection_create(bot, BotPosition.objects.get(bot=bot))  # sent by the same sync


def _protection_create(bot: Bot, position: BotPosition) -> BotOrder:
    """The protective order's row: its client id names the position's entry and the how-many-th
    protection of that position it is (a replacement is a new order)."""
    entry = position.entry_order
    before = BotOrder.objects.filter(
        bot=bot, leg=OrderLeg.PROTECT, candle_ms=entry.candle_ms
    ).count()
    offset = Decimal(str(bot.stop_limit_offset))
    root = client_order_id(bot_id=bot.pk, candle_ms=entry.candle_ms, leg=OrderLeg.PROTECT)
    with transaction.atomic():
        locked = Bot.objects.select_for_update().get(pk=bot.pk)
        order = BotOrder.objects.create(
            bot=locked,
            client_order_id=f"{root}{before + 1}",
            candle_ms=entry.candle_ms,
            leg=OrderLeg.PROTECT,
            side=order_side(position.side, closing=True),
            position_side=position.side,
            kind="oco" if position.target_price is not None else "stop_limit",
            trigger_price=position.stop_price,
            limit_price=position.stop_price * (1 - position.side * offset),
            target_price=position.target_price,
        )
        journal = Journal(locked)
        target = (
            f", take-profit at {words(position.target_price)}"
            if position.target_price is not None
            else ""
        )
        order_noted(
            journal,
            order,
            f"protect the position on the exchange: stop-loss at {words(position.stop_price)} "
            f"(limit {words(order.limit_price)}){target} ({order.client_order_id})",
            candle_ms=entry.candle_ms,
        )
        journal.flush()
    return order


def protective_exit(position: BotPosition | None, close: float) -> str | None:
    """A live position's stop-loss or take-profit, checked at the candle's close (exchange-side
    stop orders are a later step): the leg to close it with, or None."""
    if position is None:
        return None
    side = position.side
    if position.stop_price is not None and side * (close - float(position.stop_price)) <= 0:
        return OrderLeg.STOP_LOSS
    if position.target_price is not None and side * (close - float(position.target_price)) >= 0:
        return OrderLeg.TAKE_PROFIT
    return None
