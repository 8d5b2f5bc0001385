"""The exchange's answers to a live bot's orders, recorded (services/live.py sends them and
asks for them): an order accepted, filled (whole or in part; the position or the trade from the
exchange's price, quantity and commission), refused or cancelled, in one transaction holding the
bot's lock; a close that filled in part sends its rest again (a remainder order). Also the
lookups and cancels by client id (a protective order through its own), and the sync's state."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from apps.datafeeds.timeframes import bucket_floor, timeframe_ms
from apps.exchanges.exchange_client import PermanentExchangeError, TemporaryExchangeError
from apps.exchanges.trading import AccountTrader, ExchangeOrder

from ..lifecycle import STATUS_FIELDS, bot_status_move
from ..models import (
    FINAL_ORDER_STATES,
    LIVE_ORDER_STATES,
    Bot,
    BotOrder,
    BotPosition,
    BotStatus,
    OrderLeg,
    OrderState,
)
from ..orders import InvalidTransition, order_accepted, order_cancelled, order_failed, order_fill
from .book import Fill, position_close, position_open, words
from .failure import bot_fail
from .journal import Journal, order_noted
from .paper import EXIT_REASON_OF_LEG

logger = logging.getLogger(__name__)


def not_found_window_s() -> float:
    return float(getattr(settings, "EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS", 60.0))


def max_send_attempts() -> int:
    return int(getattr(settings, "EXECUTION_ORDER_MAX_SENDS", 3))


@dataclass
class LiveSync:
    """What a sync did and what it left: orders still in flight keep the bot from deciding."""

    recorded: list[str] = field(default_factory=list)
    in_flight: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def settled(self) -> bool:
        return not self.in_flight and not self.error


def bot_error(bot: Bot, message: str, sync: LiveSync, *, refused: bool = False) -> None:
    sync.error = message
    logger.warning("bot %s: %s", bot.pk, message)
    bot_fail(bot_id=bot.pk, message=message, refused=refused)


def record_local(order: BotOrder, move) -> None:
    try:
        move(order)
    except InvalidTransition:
        logger.info("order %s moved meanwhile", order.client_order_id)


def order_lookup(trader: AccountTrader, bot: Bot, order: BotOrder):
    """The order as the exchange has it (a protective order through its own lookup)."""
    market = bot.symbol.market_symbol
    if order.leg == OrderLeg.PROTECT:
        return trader.protective_by_client_id(
            market_symbol=market,
            client_order_id=order.client_order_id,
            with_target=order.target_price is not None,
        )
    return trader.order_by_client_id(market_symbol=market, client_order_id=order.client_order_id)


def cancel_request(trader: AccountTrader, bot: Bot, order: BotOrder) -> str:
    """Ask the exchange to cancel; a lookup says what it did. What was asked, in words."""
    market = bot.symbol.market_symbol
    try:
        if order.leg == OrderLeg.PROTECT:
            trader.protective_cancel(
                market_symbol=market,
                client_order_id=order.client_order_id,
                with_target=order.target_price is not None,
            )
        else:
            trader.order_cancel(market_symbol=market, client_order_id=order.client_order_id)
        return f"{order.client_order_id}: cancel requested"
    except (TemporaryExchangeError, PermanentExchangeError) as error:
        # Refused (it filled meanwhile) or no definite answer: the next lookup tells.
        return f"{order.client_order_id}: cancel {error.kind}, looked up again"


def nothing_to_close(bot: Bot, order: BotOrder) -> None:
    """A close decided while the position's protective order was filling: the protection
    closed it, the close is cancelled unsent (a stopping bot is then stopped)."""
    with transaction.atomic():
        locked = Bot.objects.select_for_update().get(pk=bot.pk)
        try:
            order_cancelled(order, reason="not sent: its protective order closed the position")
        except InvalidTransition:
            return
        journal = Journal(locked)
        journal.add(
            "order",
            f"cancelled {order.client_order_id}: the protective order closed the position first",
            order=order.client_order_id,
            state="cancelled",
        )
        others = BotOrder.objects.filter(bot=locked, state__in=LIVE_ORDER_STATES)
        if locked.status == BotStatus.STOPPING and not others.exists():
            bot_status_move(locked, BotStatus.STOPPED, "Stopped; the position was closed.", journal)
            locked.save(update_fields=STATUS_FIELDS)
        journal.flush()


def answer_record(
    bot: Bot, order: BotOrder, answer: ExchangeOrder, sync: LiveSync, trader: AccountTrader
) -> None:
    """The exchange's answer (or lookup), in one transaction holding the bot's lock."""
    stop = None
    with transaction.atomic():
        bot = Bot.objects.select_for_update(of=("self",)).select_related("symbol").get(pk=bot.pk)
        order = BotOrder.objects.select_for_update().get(pk=order.pk)
        if order.state in FINAL_ORDER_STATES:
            return
        journal = Journal(bot)
        if order.state in (OrderState.PENDING_SUBMIT, OrderState.UNKNOWN):
            order = order_accepted(order, exchange_order_id=answer.exchange_order_id)
            journal.add(
                "order",
                f"accepted {order.client_order_id} ({answer.exchange_order_id})",
                candle_ms=order.candle_ms,
                order=order.client_order_id,
                state=order.state,
            )
        new = answer.filled - order.filled_quantity
        if new > 0 and answer.average is not None:
            order = _fill_record(bot, order, answer, new)
            sync.recorded.append(order.client_order_id)
        if order.state == OrderState.FILLED:
            stop = _fill_settle(bot, order, answer, journal, trader)
        elif answer.final and order.filled_quantity > 0:
            # Expired or cancelled after part of it filled (a market order when the book runs
            # dry): what filled is the bot's, the rest will never come.
            word = "expired" if answer.status == "expired" else "cancelled"
            order = order_cancelled(
                order,
                reason=f"{word} by the exchange after filling {words(order.filled_quantity)} of "
                f"{words(order.quantity)}",
            )
            message = f"{word} {order.client_order_id}: {order.state_message}"
            journal.add("order", message, order=order.client_order_id)
            stop = _fill_settle(bot, order, answer, journal, trader)
        elif answer.final:
            word = "cancelled" if answer.status in ("canceled", "expired") else "rejected"
            if answer.status in ("canceled", "expired"):
                order_cancelled(order, reason=f"{word} by the exchange")
            else:
                order_failed(order, reason=f"{word} by the exchange")
            journal.add("order", f"{word} {order.client_order_id}", order=order.client_order_id)
        elif order.leg != OrderLeg.PROTECT:  # a protection rests while the position is held
            sync.in_flight.append(f"{order.client_order_id}: open on the exchange")
        journal.flush()
    if stop:
        bot_error(bot, stop, sync)


def _fill_record(bot: Bot, order: BotOrder, answer: ExchangeOrder, quantity: Decimal) -> BotOrder:
    """The exchange's new fill on the order: filled, or partially while the rest may come. A
    market order fills during the bar after its decision; a protective order during the bar of
    its last trade (the exchange's time), however long the platform was away."""
    # The exchange reports totals (average price, fees) over all the order's fills: this fill's
    # share is what they grew by since the fills already booked.
    booked = (order.average_price or Decimal(0)) * order.filled_quantity
    price = (answer.average * answer.filled - booked) / quantity
    fee_quote = answer.fee_quote + answer.fee_base * answer.average - order.fee
    fill_ms = order.candle_ms + timeframe_ms(bot.timeframe)  # filled during the next bar
    filled_at = getattr(answer, "filled_at_ms", None)
    if order.leg == OrderLeg.PROTECT and filled_at:
        fill_ms = int(bucket_floor(filled_at - 1, bot.timeframe))  # a trade at a close: its bar
    return order_fill(order, quantity=quantity, price=price, fee=fee_quote, candle_ms=fill_ms)


def _fill_settle(
    bot: Bot, order: BotOrder, answer: ExchangeOrder, journal: Journal, trader: AccountTrader
) -> str | None:
    """An order that will fill no more (whole, or part of it), booked from what the exchange
    filled (services/book.py): an entry's position is what the account received, a close's
    trade moves the bot's equity as the account's quote balance. A close that sold only part of
    the position keeps the rest and sends it again (a remainder order, at most
    EXECUTION_CLOSE_REMAINDER_SENDS of them); a rest below the exchange's minimum is dust,
    written off as a whole close's is. Once the remainders are spent the bot stops, and the
    answer says why."""
    price = order.average_price
    fill = Fill(
        quantity=answer.filled,
        price=price,
        fee=answer.fee_quote + answer.fee_base * price,
        time_ms=order.fill_candle_ms,
        fee_base=answer.fee_base,
    )
    position = BotPosition.objects.filter(bot=bot).select_related("entry_order").first()
    if order.leg == OrderLeg.ENTRY:
        if position is not None:
            raise InvalidTransition(f"bot {bot.pk}: an entry filled while in a position")
        position_open(bot=bot, order=order, fill=fill, journal=journal)
        return None
    if position is None:
        raise InvalidTransition(f"bot {bot.pk}: a close filled without a position")
    complete = order.state == OrderState.FILLED  # else the rest expired: part is left
    if not complete:
        market = bot.symbol.market_symbol
        rest = trader.amount_to_precision(market, position.size - fill.quantity)
        complete = (  # dust: no order can sell it
            rest <= 0
            or rest < trader.min_amount(market)
            or rest * fill.price < trader.min_cost(market)
        )
    protective = order.leg == OrderLeg.PROTECT
    reason = (answer.leg or OrderLeg.STOP_LOSS) if protective else EXIT_REASON_OF_LEG[order.leg]
    left = position_close(
        bot=bot,
        position=position,
        order=order,
        fill=fill,
        reason=reason,
        journal=journal,
        complete=complete,
    )
    fields = ["equity", "risk_state", "updated_at"]
    if left is not None and protective:  # cancelled part filled: the exit pending sells the rest
        bot.save(update_fields=fields)
        return None
    if left is not None and _remainder_order(bot, order, left, journal) is not None:
        bot.save(update_fields=fields)
        return None
    if left is not None:
        bot.save(update_fields=fields)
        return (
            f"Only part of the position was sold: {order.client_order_id} "
            f"{order.state_message}; the bot still holds {words(left.size)} {bot.symbol.base}. "
            "It stopped so that you decide: start it again to close the rest at its next exit, "
            "or sell it on the exchange."
        )
    others = BotOrder.objects.filter(bot=bot, state__in=LIVE_ORDER_STATES).exclude(pk=order.pk)
    if bot.status == BotStatus.STOPPING and not others.exists():
        bot_status_move(bot, BotStatus.STOPPED, "Stopped; the position was closed.", journal)
        fields += STATUS_FIELDS
    bot.save(update_fields=fields)
    return None


def close_remainder_sends() -> int:
    return int(getattr(settings, "EXECUTION_CLOSE_REMAINDER_SENDS", 3))


def _remainder_order(
    bot: Bot, order: BotOrder, left: BotPosition, journal: Journal
) -> BotOrder | None:
    """The rest of a close that filled in part, as a new order of the same leg and decision
    (`<client id>r<n>`), sent by the sync that booked the part; None once the remainders are
    spent."""
    root = (
        order.client_order_id.rsplit("r", 1)[0] if _is_remainder(order) else order.client_order_id
    )
    sent = BotOrder.objects.filter(bot=bot, client_order_id__startswith=f"{root}r").count()
    if sent >= close_remainder_sends():
        return None
    rest = BotOrder.objects.create(
        bot=bot,
        client_order_id=f"{root}r{sent + 1}",
        candle_ms=order.candle_ms,
        leg=order.leg,
        side=order.side,
        position_side=order.position_side,
        kind=order.kind,
    )
    order_noted(
        journal,
        rest,
        f"the rest of {order.client_order_id} ({words(left.size)} {bot.symbol.base}) sent "
        f"again as {rest.client_order_id}",
        candle_ms=order.candle_ms,
    )
    return rest


def _is_remainder(order: BotOrder) -> bool:
    tail = order.client_order_id.rsplit("-", 1)[-1]
    return "r" in tail
