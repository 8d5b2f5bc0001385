"""The order tracker: client order ids and the one state machine of every order.

    pending_submit ──> open ──> partially_filled ──> filled
          │  │          │  │          │  └──────────> cancelled
          │  │          │  └──> filled / cancelled / failed / unknown
          │  └──> unknown ──> open / partially_filled / filled / cancelled / failed
          └──> failed / cancelled (never sent)

    failed / cancelled ──> unknown   adopted: a sent order the exchange turned out to have

A transition is a conditional UPDATE (state in the allowed sources -> target) that must change
exactly one row, so two workers can never both move an order, and nothing else writes the
state column. `unknown` is where an order goes when it was sent and the answer was lost: it is
then looked up by its client order id, never sent again blindly (docs/bots.md). A live send is
claimed first (`order_send_claimed`: pending_submit -> unknown, or unknown -> unknown for a
resend once "not found" has outlasted the lookup window), conditional on `send_attempts`, so
exactly one process sends each attempt.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from .models import BotOrder, OrderState

S = OrderState
TRANSITIONS: dict[OrderState, tuple[OrderState, ...]] = {
    S.OPEN: (S.PENDING_SUBMIT, S.UNKNOWN),
    S.PARTIALLY_FILLED: (S.OPEN, S.PARTIALLY_FILLED, S.UNKNOWN),
    S.FILLED: (S.OPEN, S.PARTIALLY_FILLED, S.UNKNOWN),
    S.CANCELLED: (S.PENDING_SUBMIT, S.OPEN, S.PARTIALLY_FILLED, S.UNKNOWN),
    S.FAILED: (S.PENDING_SUBMIT, S.OPEN, S.UNKNOWN),
    S.UNKNOWN: (S.PENDING_SUBMIT, S.OPEN),
}
LEG_CODES = {
    "entry": "en",
    "exit": "ex",
    "stop_loss": "sl",
    "take_profit": "tp",
    "close": "cl",
    "kill": "ks",
    "protect": "pr",
}


class InvalidTransition(Exception):
    """The order is not in a state this transition starts from (or another worker moved it)."""


def client_order_id(*, bot_id: int, candle_ms: int, leg: str) -> str:
    """Derived from (bot, candle, leg): the same decision always names the same order, so a
    retried step finds its order instead of making a second one. Binance accepts
    [.A-Za-z0-9:/_-]{1,36}: 'bt<bot>-<candle open, epoch s>-<leg>' is at most 33 characters."""
    return f"bt{bot_id}-{candle_ms // 1000}-{LEG_CODES[leg]}"


def _move(order: BotOrder, target: OrderState, **values) -> BotOrder:
    sources = TRANSITIONS[target]
    moved = BotOrder.objects.filter(pk=order.pk, state__in=sources).update(
        state=target, updated_at=timezone.now(), **values
    )
    if moved != 1:
        current = BotOrder.objects.filter(pk=order.pk).values_list("state", flat=True).first()
        raise InvalidTransition(
            f"order {order.client_order_id}: {current} -> {target} is not allowed "
            f"(from {', '.join(sources)})"
        )
    order.refresh_from_db()
    return order


def order_accepted(order: BotOrder, *, exchange_order_id: str) -> BotOrder:
    """The venue accepted the order (or a lookup found it open)."""
    return _move(order, S.OPEN, exchange_order_id=exchange_order_id, submitted_at=timezone.now())


def order_outcome_unknown(order: BotOrder, *, reason: str) -> BotOrder:
    """Sent, but the answer never came (timeout, connection lost, worker killed)."""
    return _move(order, S.UNKNOWN, state_message=reason[:2000], submitted_at=timezone.now())


def order_send_claimed(order: BotOrder, *, reason: str) -> BotOrder:
    """Live: this process is about to send the request. From pending_submit (the first send) or
    from unknown (a resend, allowed only once "not found" has lasted past the lookup window).
    The order is `unknown` from here until the answer is recorded: a process that dies before
    or after the request leaves an order that is looked up, never sent again blindly. The
    condition on `send_attempts` makes two workers' claims of the same send exclusive."""
    moved = BotOrder.objects.filter(
        pk=order.pk,
        state__in=(S.PENDING_SUBMIT, S.UNKNOWN),
        send_attempts=order.send_attempts,
    ).update(
        state=S.UNKNOWN,
        state_message=reason[:2000],
        send_attempts=order.send_attempts + 1,
        submitted_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if moved != 1:
        raise InvalidTransition(f"order {order.client_order_id}: another worker sent it")
    order.refresh_from_db()
    return order


def order_adopted(order: BotOrder, *, reason: str) -> BotOrder:
    """A failed or cancelled order that the exchange turns out to have (an orphan) goes back to
    `unknown`, so that the exchange's answer is recorded as any lookup's is. Only an order that
    was sent, never filled and never named by the exchange can be adopted, and only once."""
    now = timezone.now()
    moved = BotOrder.objects.filter(
        pk=order.pk,
        state__in=(S.FAILED, S.CANCELLED),
        send_attempts__gt=0,
        filled_quantity=0,
        exchange_order_id="",
        orphan_checked_at__isnull=True,
    ).update(state=S.UNKNOWN, state_message=reason[:2000], orphan_checked_at=now, updated_at=now)
    if moved != 1:
        raise InvalidTransition(f"order {order.client_order_id}: cannot be adopted")
    order.refresh_from_db()
    return order


def order_fill(
    order: BotOrder, *, quantity: Decimal, price: Decimal, fee: Decimal, candle_ms: int
) -> BotOrder:
    """A fill of `quantity` at `price`: filled once the whole quantity is, else partially.

    The average price is the quantity-weighted mean of the fills."""
    total = order.filled_quantity + quantity
    average = (
        price
        if not order.filled_quantity
        else (order.average_price * order.filled_quantity + price * quantity) / total
    )
    complete = order.quantity is None or total >= order.quantity
    return _move(
        order,
        S.FILLED if complete else S.PARTIALLY_FILLED,
        filled_quantity=total,
        average_price=average,
        fee=F("fee") + fee,
        fill_candle_ms=candle_ms,
    )


def order_cancelled(order: BotOrder, *, reason: str) -> BotOrder:
    return _move(order, S.CANCELLED, state_message=reason[:2000])


def order_failed(order: BotOrder, *, reason: str) -> BotOrder:
    return _move(order, S.FAILED, state_message=reason[:2000])
