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
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.exchanges.exchange_client import (
    OrderNotFound,
    PermanentExchangeError,
    RateLimited,
    TemporaryExchangeError,
)
from apps.exchanges.redaction import redact
from apps.exchanges.trading import AccountTrader, account_trader

from ..lifecycle import STATUS_FIELDS, bot_status_explain
from ..models import (
    LIVE_ORDER_STATES,
    Bot,
    BotMode,
    BotOrder,
    BotPosition,
    BotStatus,
    OrderLeg,
    OrderState,
)
from ..orders import (
    InvalidTransition,
    order_adopted,
    order_cancelled,
    order_failed,
    order_outcome_unknown,
    order_send_claimed,
)
from .book import words
from .holdings import baseline_due, holdings_check
from .journal import Journal
from .live_answers import (
    LiveSync,
    answer_record,
    bot_error,
    cancel_request,
    max_send_attempts,
    not_found_window_s,
    nothing_to_close,
    order_lookup,
    record_local,
)
from .protection import protection_cleared, protection_passed, protection_sync

logger = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 5  # sends retried in-process after a 429 (refused before acceptance)


RATE_LIMIT_WAIT_CAP_S = 5.0  # longest in-process wait for one Retry-After


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
    holdings = holdings or baseline_due(bot) or BotPosition.objects.filter(bot=bot).exists()
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
            protection_sync(trader, bot, sync)
        _pending_sync(trader, bot, sync, done)  # a close the protection's refusal wrote
        if sync.error:
            return sync
        if holdings:
            holdings_check(trader, bot, sync, candle_ms, fresh=fresh)
    except TemporaryExchangeError as error:
        # The exchange is unreachable for now: nothing is believed, the next sync tries again.
        sync.in_flight.append(f"exchange unavailable: {error.kind}")
    except PermanentExchangeError as error:
        bot_error(bot, f"The exchange refused: {redact(str(error))}", sync, refused=True)
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
            record_local(order, lambda o: order_cancelled(o, reason="the bot was stopped"))
            return
        if order.leg not in (OrderLeg.ENTRY, OrderLeg.PROTECT) and not protection_cleared(
            trader, bot, sync
        ):
            # Never two closes for one position: the exit waits for the cancel's confirmation.
            sync.in_flight.append(f"{order.client_order_id}: waiting for the protection's cancel")
            return
        closing = order.leg not in (OrderLeg.ENTRY, OrderLeg.PROTECT)
        if closing and not BotPosition.objects.filter(bot=bot).exists():
            nothing_to_close(bot, order)  # its protection filled first: never a second close
            return
        _send(trader, bot, order, sync)
        return
    try:
        found = order_lookup(trader, bot, order)
    except OrderNotFound:
        _not_found(trader, bot, order, sync)
        return
    answer_record(bot, order, found, sync, trader)
    if not found.final and bot.status not in (BotStatus.RUNNING, BotStatus.STOPPING):
        sync.in_flight.append(cancel_request(trader, bot, order))


def _not_found(trader: AccountTrader, bot: Bot, order: BotOrder, sync: LiveSync) -> None:
    """Looked up and "does not exist": believed only past the window since the last send (an
    order the exchange accepted is hidden from lookups for a while too, e.g. a resting stop)."""
    since = (timezone.now() - order.submitted_at).total_seconds() if order.submitted_at else 1e9
    if since < not_found_window_s():
        sync.in_flight.append(f"{order.client_order_id}: not found for {since:.1f} s")
        return
    if order.state != OrderState.UNKNOWN:  # it was accepted: it cannot vanish
        bot_error(bot, f"Order {order.client_order_id} vanished from the exchange.", sync)
        return
    if order.send_attempts >= max_send_attempts():
        record_local(order, lambda o: order_failed(o, reason="never reached the exchange"))
        bot_error(
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
        record_local(order, lambda o: order_cancelled(o, reason="never sent; the bot stopped"))
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
            record_local(
                order, lambda o: order_failed(o, reason=f"quantity {quantity} below the lot size")
            )
            bot_error(bot, f"Order {order.client_order_id}: quantity below the lot size.", sync)
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
            record_local(order, lambda o, w=words: order_failed(o, reason=w))
            if order.leg == OrderLeg.PROTECT and "trigger immediately" in words:
                protection_passed(bot, order, words)  # closed at market by this same sync
                return
            bot_error(bot, f"Order {order.client_order_id} refused: {words}", sync, refused=True)
            return
    _pause_point("after_request")
    answer_record(bot, order, answer, sync, trader)


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
        found = order_lookup(trader, bot, order)
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
        bot_error(
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
    answer_record(bot, order, found, sync, trader)
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
