"""The live venue: a live bot's orders go to its exchange account through apps/exchanges
(ccxt stays there), and the exchange's answers move them and the bot's position.

An order's phases (docs/bots.md, "Live orders"), each a recovery point:

1. The decision's transaction wrote it as `pending_submit` and committed.
2. Claim (`order_send_claimed`, committed): the quantity rounded to the lot step, the state
   `unknown`, `send_attempts` + 1. A process that dies after this may or may not have sent it.
3. The request: a market order named by the client order id (`newClientOrderId`).
4. The answer, in a second transaction holding the bot's lock: accepted, filled (the position
   and trade from the exchange's price, quantity and commission), or refused.

An `unknown` order is looked up by its client order id (`origClientOrderId`). "Not found" is
believed only once it has lasted `EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS` since the last send
(Binance answers -2013 for a while after accepting); only then is the same order, same id, sent
again. A 429 is a refusal before acceptance: the send is retried after Retry-After. Only a
definite refusal (a known rejection answered with an HTTP 4xx: funds, lot size, key; see
`exchange_client.send_outcome`) fails the order and stops the bot with the exchange's words;
anything else (a 5xx whatever its body, Binance's -1000/-1001/-1006/-1007, a timeout, a reset,
an answer that cannot be read) leaves it `unknown`.

No orphan: a failed or cancelled order that was sent is looked up by its client id until the
exchange settles it; one the exchange has after all is adopted (back to `unknown`, then booked
as the fill it was) and the bot is told in its events. The account's holdings of the base asset
are checked against the books: less than the position stops the bot; more than the live bots'
positions and what the account held apart from them when the bot started is a warning in
words on the bot (`books_warning`).

`live_sync` runs at the start of every step of a live bot, after the step's commit (to send
what it decided), in the periodic reconcile task (which also checks a flat bot's holdings) and
after a stop: it brings every non-final order to the exchange's truth and checks the holdings.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from apps.datafeeds.timeframes import bucket_floor, timeframe_ms
from apps.exchanges.exchange_client import (
    OrderNotFound,
    PermanentExchangeError,
    RateLimited,
    TemporaryExchangeError,
)
from apps.exchanges.redaction import redact
from apps.exchanges.trading import AccountTrader, ExchangeOrder, account_trader
from config.degraded import REDIS_DOWN, dependency_failed

from ..lifecycle import STATUS_FIELDS, bot_status_explain, bot_status_move
from ..models import (
    FINAL_ORDER_STATES,
    LIVE_ORDER_STATES,
    Bot,
    BotMode,
    BotOrder,
    BotPosition,
    BotStatus,
    BotTrade,
    OrderLeg,
    OrderState,
)
from ..orders import (
    InvalidTransition,
    client_order_id,
    order_accepted,
    order_adopted,
    order_cancelled,
    order_failed,
    order_fill,
    order_outcome_unknown,
    order_send_claimed,
)
from .book import Fill, position_close, position_open, words
from .failure import bot_fail
from .journal import Journal, order_noted
from .paper import EXIT_REASON_OF_LEG, order_side

logger = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 5  # sends retried in-process after a 429 (refused before acceptance)
RATE_LIMIT_WAIT_CAP_S = 5.0  # longest in-process wait for one Retry-After


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


def live_sync(
    *,
    bot_id: int,
    trader: AccountTrader | None = None,
    holdings: bool = False,
    candle_ms: int | None = None,
) -> LiveSync:
    """Every non-final order of the bot brought to the exchange's truth (sent, looked up,
    resent after the not-found window, cancelled when the bot no longer runs), every sent
    order booked failed or cancelled looked up until the exchange settles it (adopted if it
    has it), then the holdings checked against the books (a flat bot's only with `holdings`,
    as the periodic reconcile asks: a balance read costs weight). `candle_ms`: the step's
    candle, whose holdings snapshot the account's bots share (else the candle in progress)."""
    bot = Bot.objects.select_related("symbol").get(pk=bot_id)
    sync = LiveSync()
    if bot.mode != BotMode.LIVE or bot.exchange_account_id is None:
        return sync
    orders = list(BotOrder.objects.filter(bot=bot, state__in=LIVE_ORDER_STATES).order_by("id"))
    orphans = list(_orphan_candidates(bot))
    fresh = holdings  # the periodic check reads the account afresh (outside changes included)
    holdings = holdings or _baseline_due(bot) or BotPosition.objects.filter(bot=bot).exists()
    if not orders and not orphans and not holdings:
        return sync  # flat with nothing in flight or unsettled: nothing to ask the exchange
    try:
        trader = trader or account_trader(account_id=bot.exchange_account_id)
        done: set[int] = set()
        for order in orders:
            done.add(order.pk)
            _order_sync(trader, bot, order, sync)
            if sync.error:
                return sync
        _pending_sync(trader, bot, sync, done)  # the orders this sync wrote (a remainder)
        if sync.error:
            return sync
        for order in orphans:
            _orphan_check(trader, bot, order, sync)
            if sync.error:
                return sync
        if not sync.error:
            _protection_sync(trader, bot, sync)
        _pending_sync(trader, bot, sync, done)  # a close the protection's refusal wrote
        if sync.error:
            return sync
        if holdings:
            _holdings_check(trader, bot, sync, candle_ms, fresh=fresh)
    except TemporaryExchangeError as error:
        # The exchange is unreachable for now: nothing is believed, the next sync tries again.
        sync.in_flight.append(f"exchange unavailable: {error.kind}")
    except PermanentExchangeError as error:
        _bot_error(bot, f"The exchange refused: {redact(str(error))}", sync, refused=True)
    return sync


def _pending_sync(trader: AccountTrader, bot: Bot, sync: LiveSync, done: set[int]) -> None:
    """Send the orders written during this sync (a close's remainder, a market close after a
    refused stop), each once, until none is left or one fails."""
    while not sync.error:
        orders = list(
            BotOrder.objects.filter(bot=bot, state=OrderState.PENDING_SUBMIT)
            .exclude(pk__in=done)
            .order_by("id")
        )
        if not orders:
            return
        for order in orders:
            done.add(order.pk)
            _order_sync(trader, bot, order, sync)
            if sync.error:
                return


def _order_sync(trader: AccountTrader, bot: Bot, order: BotOrder, sync: LiveSync) -> None:
    if order.state == OrderState.PENDING_SUBMIT:
        if bot.status not in (BotStatus.RUNNING, BotStatus.STOPPING, BotStatus.KILLED):
            _record_local(order, lambda o: order_cancelled(o, reason="the bot was stopped"))
            return
        if order.leg not in (OrderLeg.ENTRY, OrderLeg.PROTECT) and not _protection_cleared(
            trader, bot, sync
        ):
            # Never two closes for one position: the exit waits for the cancel's confirmation.
            sync.in_flight.append(f"{order.client_order_id}: waiting for the protection's cancel")
            return
        closing = order.leg not in (OrderLeg.ENTRY, OrderLeg.PROTECT)
        if closing and not BotPosition.objects.filter(bot=bot).exists():
            _nothing_to_close(bot, order)  # its protection filled first: never a second close
            return
        _send(trader, bot, order, sync)
        return
    try:
        found = _lookup(trader, bot, order)
    except OrderNotFound:
        _not_found(trader, bot, order, sync)
        return
    _answer_record(bot, order, found, sync, trader)
    if not found.final and bot.status not in (BotStatus.RUNNING, BotStatus.STOPPING):
        sync.in_flight.append(_cancel_request(trader, bot, order))


def _nothing_to_close(bot: Bot, order: BotOrder) -> None:
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


def _lookup(trader: AccountTrader, bot: Bot, order: BotOrder):
    """The order as the exchange has it (a protective order through its own lookup)."""
    market = bot.symbol.market_symbol
    if order.leg == OrderLeg.PROTECT:
        return trader.protective_by_client_id(
            market_symbol=market,
            client_order_id=order.client_order_id,
            with_target=order.target_price is not None,
        )
    return trader.order_by_client_id(market_symbol=market, client_order_id=order.client_order_id)


def _cancel_request(trader: AccountTrader, bot: Bot, order: BotOrder) -> str:
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


def _protections(bot: Bot):
    return BotOrder.objects.filter(bot=bot, leg=OrderLeg.PROTECT, state__in=LIVE_ORDER_STATES)


def _protection_cleared(trader: AccountTrader, bot: Bot, sync: LiveSync) -> bool:
    """No protective order of the bot can fill any more: each still open is cancelled and the
    cancel confirmed by a lookup (what it filled meanwhile is booked). False while one may
    still fill (the cancel unanswered, or the order not found yet)."""
    for order in _protections(bot).order_by("id"):
        if order.state == OrderState.PENDING_SUBMIT:
            _record_local(order, lambda o: order_cancelled(o, reason="a close came first"))
            continue
        if order.state != OrderState.UNKNOWN:
            _cancel_request(trader, bot, order)  # settled by the lookup below
        try:
            found = _lookup(trader, bot, order)
        except OrderNotFound:
            _not_found_protection(bot, order, sync)
            continue
        _answer_record(bot, order, found, sync, trader)
    return not _protections(bot).exists()


def _not_found_protection(bot: Bot, order: BotOrder, sync: LiveSync) -> None:
    """A protection being cancelled that the exchange does not know: past the not-found window
    it never reached the exchange (it is not sent again: a close replaces it)."""
    since = (timezone.now() - order.submitted_at).total_seconds() if order.submitted_at else 1e9
    if order.state == OrderState.UNKNOWN and since >= not_found_window_s():
        _record_local(order, lambda o: order_cancelled(o, reason="never placed; a close came"))
    else:
        sync.in_flight.append(f"{order.client_order_id}: not found for {since:.1f} s")


def _protection_passed(bot: Bot, order: BotOrder, said: str) -> None:
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


def _protection_sync(trader: AccountTrader, bot: Bot, sync: LiveSync) -> None:
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
            _protection_cleared(trader, bot, sync)
        return
    market = bot.symbol.market_symbol
    size = trader.amount_to_precision(market, position.size)
    if current is not None and (
        current.trigger_price == position.stop_price
        and current.target_price == position.target_price
        and current.quantity == size
    ):
        return  # in place
    if current is not None and not _protection_cleared(trader, bot, sync):
        return  # replaced once the old one's cancel is confirmed
    if not BotPosition.objects.filter(bot=bot).exists():
        return  # the old one filled before its cancel: the position is closed
    order = _protection_create(bot, BotPosition.objects.get(bot=bot))
    _order_sync(trader, bot, order, sync)


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


def _not_found(trader: AccountTrader, bot: Bot, order: BotOrder, sync: LiveSync) -> None:
    """Looked up and "does not exist": believed only past the window since the last send (an
    order the exchange accepted is hidden from lookups for a while too, e.g. a resting stop)."""
    since = (timezone.now() - order.submitted_at).total_seconds() if order.submitted_at else 1e9
    if since < not_found_window_s():
        sync.in_flight.append(f"{order.client_order_id}: not found for {since:.1f} s")
        return
    if order.state != OrderState.UNKNOWN:  # it was accepted: it cannot vanish
        _bot_error(bot, f"Order {order.client_order_id} vanished from the exchange.", sync)
        return
    if order.send_attempts >= max_send_attempts():
        _record_local(order, lambda o: order_failed(o, reason="never reached the exchange"))
        _bot_error(
            bot,
            f"Order {order.client_order_id} was sent {order.send_attempts} times and the "
            "exchange never had it.",
            sync,
        )
        return
    logger.warning(
        "bot %s: %s not found %.1f s after its send: sending it again",
        bot.pk,
        order.client_order_id,
        since,
    )
    if bot.status not in (BotStatus.RUNNING, BotStatus.STOPPING, BotStatus.KILLED):
        _record_local(order, lambda o: order_cancelled(o, reason="never sent; the bot stopped"))
        return
    _send(trader, bot, order, sync)


def _quantity(trader: AccountTrader, bot: Bot, order: BotOrder) -> Decimal:
    """Base units to send, truncated to the lot step by ccxt: an entry's from its size (or the
    fraction of the bot's equity at the decision's close, fee included), a close's the whole
    position."""
    market = bot.symbol.market_symbol
    if order.quantity is not None and order.leg == OrderLeg.ENTRY:
        return trader.amount_to_precision(market, order.quantity)
    if order.leg == OrderLeg.ENTRY:
        budget = Decimal(str(order.size_fraction)) * bot.equity
        raw = budget / (order.decision_price * (1 + Decimal(str(bot.fee_rate))))
        return trader.amount_to_precision(market, raw)
    position = BotPosition.objects.filter(bot=bot).first()
    return trader.amount_to_precision(market, position.size if position else Decimal(0))


def _send(trader: AccountTrader, bot: Bot, order: BotOrder, sync: LiveSync) -> None:
    _pause_point("before_send")
    if order.state == OrderState.PENDING_SUBMIT or order.quantity is None:
        quantity = _quantity(trader, bot, order)
        if quantity <= 0 or quantity < trader.min_amount(bot.symbol.market_symbol):
            _record_local(
                order, lambda o: order_failed(o, reason=f"quantity {quantity} below the lot size")
            )
            _bot_error(bot, f"Order {order.client_order_id}: quantity below the lot size.", sync)
            return
        BotOrder.objects.filter(pk=order.pk).update(quantity=quantity)
        order.quantity = quantity
    try:
        order = order_send_claimed(order, reason="sent; the answer is not recorded yet")
    except InvalidTransition:
        sync.in_flight.append(f"{order.client_order_id}: sent by another worker")
        return
    _pause_point("after_claim")
    for attempt in range(RATE_LIMIT_RETRIES + 1):
        try:
            answer = _create(trader, bot, order)
            break
        except RateLimited as error:
            # A 429 is refused before acceptance (Binance): the same send may be retried.
            if attempt == RATE_LIMIT_RETRIES:
                _unknown(order, f"rate limited {attempt + 1} times: {error.kind}")
                sync.in_flight.append(f"{order.client_order_id}: rate limited")
                return
            time.sleep(min(max(error.retry_after_s, 0.2), RATE_LIMIT_WAIT_CAP_S))
        except TemporaryExchangeError as error:
            # OutcomeUnknown: a timeout, a reset, any 5xx, -1000/-1001/-1006/-1007, an answer
            # that cannot be read: the exchange may have accepted it. Look it up.
            _unknown(order, f"outcome unknown: {error.kind}: {redact(str(error))[:300]}")
            sync.in_flight.append(f"{order.client_order_id}: outcome unknown")
            return
        except PermanentExchangeError as error:
            # A definite refusal only (a known rejection with an HTTP 4xx: send_outcome).
            words = redact(str(error))
            _record_local(order, lambda o, w=words: order_failed(o, reason=w))
            if order.leg == OrderLeg.PROTECT and "trigger immediately" in words:
                _protection_passed(bot, order, words)  # closed at market by this same sync
                return
            _bot_error(bot, f"Order {order.client_order_id} refused: {words}", sync, refused=True)
            return
    _pause_point("after_request")
    _answer_record(bot, order, answer, sync, trader)


def _create(trader: AccountTrader, bot: Bot, order: BotOrder):
    """The request that sends the order: a market order, or a protective order (a stop-limit,
    or an OCO with the take-profit)."""
    market = bot.symbol.market_symbol
    if order.leg == OrderLeg.PROTECT:
        return trader.protective_order_create(
            market_symbol=market,
            side=order.side,
            amount=order.quantity,
            stop_price=order.trigger_price,
            stop_limit_price=order.limit_price,
            target_price=order.target_price,
            target_limit_price=None,
            client_order_id=order.client_order_id,
        )
    return trader.market_order_create(
        market_symbol=market,
        side=order.side,
        amount=order.quantity,
        client_order_id=order.client_order_id,
    )


def _pause_point(name: str) -> None:
    """Test settings only: EXECUTION_TEST_PAUSE_AT names a point where a test process waits
    (to be SIGKILLed there); never set in any other settings."""
    if getattr(settings, "EXECUTION_TEST_PAUSE_AT", "") == name:
        marker = getattr(settings, "EXECUTION_TEST_PAUSE_MARKER", "")
        if marker:
            with open(marker, "w") as handle:
                handle.write(name)
        time.sleep(3600)


def _unknown(order: BotOrder, reason: str) -> None:
    order.refresh_from_db()
    if order.state == OrderState.UNKNOWN:
        BotOrder.objects.filter(pk=order.pk, state=OrderState.UNKNOWN).update(
            state_message=reason[:2000]
        )
    elif order.state == OrderState.PENDING_SUBMIT:
        order_outcome_unknown(order, reason=reason)


def _record_local(order: BotOrder, move) -> None:
    try:
        move(order)
    except InvalidTransition:
        logger.info("order %s moved meanwhile", order.client_order_id)


def _answer_record(
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
        _bot_error(bot, stop, sync)


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


def _orphan_candidates(bot: Bot):
    """Sent orders booked failed or cancelled that the exchange has not settled yet: never
    named by it, never filled, not yet confirmed absent past the not-found window."""
    return BotOrder.objects.filter(
        bot=bot,
        state__in=(OrderState.FAILED, OrderState.CANCELLED),
        send_attempts__gt=0,
        filled_quantity=0,
        exchange_order_id="",
        orphan_checked_at__isnull=True,
    ).order_by("id")


def _orphan_check(trader: AccountTrader, bot: Bot, order: BotOrder, sync: LiveSync) -> None:
    """Look a failed or cancelled order up: absent past the window, or present but never
    filled, settles it; present with a fill (or still open) is an orphan, adopted."""
    try:
        found = _lookup(trader, bot, order)
    except OrderNotFound:
        since = (timezone.now() - order.submitted_at).total_seconds() if order.submitted_at else 1e9
        if since >= not_found_window_s():
            _orphan_settled(order)
        return
    if found.final and found.filled <= 0:
        _orphan_settled(order)  # the exchange has it, rejected or expired with nothing filled
        return
    position = BotPosition.objects.filter(bot=bot).exists()
    if found.filled > 0 and position == (order.leg == OrderLeg.ENTRY):
        # An entry filled while the books hold a position (or a close while they are flat):
        # the books cannot take it; the holdings check names the difference.
        _orphan_settled(order)
        _bot_error(
            bot,
            f"Order {order.client_order_id}, booked {order.state}, was {found.status} on the "
            f"exchange ({words(found.filled)} {bot.symbol.base}) but the bot's books cannot "
            f"take it ({'already in a position' if position else 'no position to close'}). "
            "Check the account on the exchange before you start the bot again.",
            sync,
        )
        return
    was, said = order.state, order.state_message
    try:
        order = order_adopted(
            order, reason=f"adopted: booked {was} ({said[:300]}), the exchange has it"
        )
    except InvalidTransition:
        return  # another process adopted it
    with transaction.atomic():
        locked = Bot.objects.select_for_update().get(pk=bot.pk)
        journal = Journal(locked)
        journal.add(
            "order",
            f"adopted {order.client_order_id}: booked {was}, but the exchange has it "
            f"({found.status}, {words(found.filled)} filled); booked as the fill it was",
            candle_ms=order.candle_ms,
            order=order.client_order_id,
            state=order.state,
        )
        journal.flush()
    _answer_record(bot, order, found, sync, trader)
    _adopted_status(bot, order, was)


def _orphan_settled(order: BotOrder) -> None:
    BotOrder.objects.filter(pk=order.pk, orphan_checked_at__isnull=True).update(
        orphan_checked_at=timezone.now()
    )


def _adopted_status(bot: Bot, order: BotOrder, was: str) -> None:
    """A bot stopped by the refusal of an order that turned out filled: its message says what
    is true now (it stays stopped in error, so that you decide)."""
    with transaction.atomic():
        bot = Bot.objects.select_for_update().get(pk=bot.pk)
        if bot.status != BotStatus.ERROR or order.client_order_id not in bot.status_message:
            return
        booked = "the position" if order.leg == OrderLeg.ENTRY else "a trade; the bot is flat"
        journal = Journal(bot)
        bot_status_explain(
            bot,
            f"Order {order.client_order_id}, first booked {was}, was filled on the exchange: it "
            f"is now booked as {booked}. Start the bot to trade on, or stop it with close.",
            journal,
        )
        bot.save(update_fields=STATUS_FIELDS)
        journal.flush()


def _baseline_due(bot: Bot) -> bool:
    return bot.base_outside is None and bot.status == BotStatus.RUNNING


def account_holdings(
    trader: AccountTrader, bot: Bot, candle_ms: int | None = None, *, fresh: bool = False
) -> dict[str, Decimal]:
    """The account's holdings from one balance read (weight 20) per account per candle (the
    step's, else the one in progress), shared by the account's bots through the cache. The
    snapshot is named by the last change of any order of the account's bots, so a fill booked
    after it was taken makes a new one: a check never compares a position with holdings from
    before its fill. `fresh` reads the account whatever the cache holds (and shares that)."""
    moved = BotOrder.objects.filter(bot__exchange_account_id=bot.exchange_account_id).aggregate(
        at=Max("updated_at")
    )["at"]
    if candle_ms is None:
        candle_ms = int(bucket_floor(int(time.time() * 1000), bot.timeframe))
    key = f"holdings:{bot.exchange_account_id}:{candle_ms}:{moved.timestamp() if moved else 0}"
    cached = None
    try:
        cached = None if fresh else cache.get(key)
    except REDIS_DOWN as error:
        dependency_failed("redis", "cache.get", error)
    if cached is not None:
        return {asset: Decimal(amount) for asset, amount in cached.items()}
    holdings = trader.balances_total()
    try:
        cache.set(
            key,
            {asset: str(amount) for asset, amount in holdings.items()},
            timeout=max(timeframe_ms(bot.timeframe) // 1000, 1),
        )
    except REDIS_DOWN as error:
        dependency_failed("redis", "cache.set", error)
    return holdings


def _holdings_check(
    trader: AccountTrader,
    bot: Bot,
    sync: LiveSync,
    candle_ms: int | None = None,
    *,
    fresh: bool = False,
) -> None:
    """The account's base asset against the books. Less than the position (less one lot step
    of rounding): sold outside the bot, which stops rather than trade on a guess. More than
    the positions of the account's live bots and what it held apart from them when this bot
    started (beyond the dust of rounding): an order filled outside the books, said in words."""
    if sync.in_flight or sync.error:
        return
    market, base = bot.symbol.market_symbol, bot.symbol.base
    position = BotPosition.objects.filter(bot=bot).first()
    held = account_holdings(trader, bot, candle_ms, fresh=fresh).get(base, Decimal(0))
    # A protection that filled in part and rests for the rest: booked once it is done.
    selling = BotOrder.objects.filter(
        bot=bot, leg=OrderLeg.PROTECT, state=OrderState.PARTIALLY_FILLED
    ).aggregate(sold=Sum("filled_quantity"))["sold"] or Decimal(0)
    if position is not None and held < trader.amount_to_precision(market, position.size - selling):
        _bot_error(
            bot,
            f"Books disagree: the exchange account holds {words(held)} {base}, "
            f"the bot's position is {words(position.size)}.",
            sync,
        )
        return
    ours = BotPosition.objects.filter(
        bot__exchange_account_id=bot.exchange_account_id,
        bot__mode=BotMode.LIVE,
        bot__symbol__base=base,
    ).aggregate(total=Sum("size"))["total"] or Decimal(0)
    if bot.base_outside is None:
        if bot.status == BotStatus.RUNNING:  # the bot's first sync: what the user holds
            Bot.objects.filter(pk=bot.pk, base_outside__isnull=True).update(
                base_outside=max(held - ours, Decimal(0))
            )
        return
    surplus = held - ours - bot.base_outside
    # Less than one lot step per close, of every live bot of the account trading this asset.
    closes = BotTrade.objects.filter(
        bot__exchange_account_id=bot.exchange_account_id,
        bot__mode=BotMode.LIVE,
        bot__symbol__base=base,
    ).count()
    dust = trader.lot_step(market) * (closes + 2)
    warning = ""
    if surplus > max(dust, trader.min_amount(market)):
        warning = (
            f"The exchange account holds {words(surplus)} {base} more than the books: its live "
            f"bots' positions ({words(ours)}) and what it held apart from them when this bot "
            f"started ({words(bot.base_outside)}). An order may have filled that no bot "
            "booked: check the account's orders on the exchange (if you bought it yourself, "
            "ignore this)."
        )
    if warning != bot.books_warning:
        _books_warning_set(bot, warning)


def _books_warning_set(bot: Bot, warning: str) -> None:
    with transaction.atomic():
        bot = Bot.objects.select_for_update().get(pk=bot.pk)
        bot.books_warning = warning
        journal = Journal(bot)
        said = warning or "The exchange account's holdings agree with the books again."
        journal.add("warning", said, books_warning=warning)
        bot.save(update_fields=["books_warning", "updated_at"])
        journal.flush()
    logger.warning("bot %s: %s", bot.pk, warning or "holdings agree again")


def _bot_error(bot: Bot, message: str, sync: LiveSync, *, refused: bool = False) -> None:
    sync.error = message
    logger.warning("bot %s: %s", bot.pk, message)
    bot_fail(bot_id=bot.pk, message=message, refused=refused)


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
