"""The order state machine: each transition a function, only from its allowed states."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.execution.models import BotOrder, OrderState
from apps.execution.orders import (
    InvalidTransition,
    client_order_id,
    order_accepted,
    order_cancelled,
    order_failed,
    order_fill,
    order_outcome_unknown,
    order_send_claimed,
)
from apps.execution.services.paper import order_create

from .helpers import EMA, START


@pytest.fixture
def bot(ana, btc_symbol):
    from apps.execution.models import Bot

    return Bot.objects.create(
        owner=ana, name="b", strategy="ema-cross", params=EMA, symbol=btc_symbol, timeframe="5m"
    )


def new_order(bot, leg="entry", quantity=None) -> BotOrder:
    return order_create(bot=bot, candle_ms=START, leg=leg, position_side=1, quantity=quantity)


def test_client_order_ids_derive_from_bot_candle_and_leg():
    coid = client_order_id(bot_id=1234567, candle_ms=1_714_521_600_000, leg="take_profit")
    assert coid == "bt1234567-1714521600-tp"
    assert len(client_order_id(bot_id=10**9, candle_ms=4_102_444_800_000, leg="entry")) <= 36
    assert coid == client_order_id(bot_id=1234567, candle_ms=1_714_521_600_000, leg="take_profit")


def test_an_order_is_a_row_before_anything_is_sent(bot):
    order = new_order(bot)
    stored = BotOrder.objects.get(pk=order.pk)
    assert stored.state == OrderState.PENDING_SUBMIT and stored.exchange_order_id == ""
    with pytest.raises(Exception):  # noqa: B017 - the unique client id: one order per decision
        new_order(bot)


def test_the_happy_path_pending_open_partial_filled(bot):
    order = new_order(bot, quantity=2.0)
    order = order_accepted(order, exchange_order_id="X1")
    assert order.state == OrderState.OPEN and order.submitted_at is not None
    order = order_fill(
        order, quantity=Decimal("0.5"), price=Decimal("100"), fee=Decimal("0.05"), candle_ms=START
    )
    assert order.state == OrderState.PARTIALLY_FILLED
    order = order_fill(
        order, quantity=Decimal("1.5"), price=Decimal("104"), fee=Decimal("0.15"), candle_ms=START
    )
    assert order.state == OrderState.FILLED
    assert order.filled_quantity == Decimal("2") and order.average_price == Decimal("103")
    assert order.fee == Decimal("0.2")
    for transition in (
        lambda: order_cancelled(order, reason="late"),
        lambda: order_failed(order, reason="late"),
        lambda: order_accepted(order, exchange_order_id="X2"),
        lambda: order_outcome_unknown(order, reason="late"),
    ):
        with pytest.raises(InvalidTransition):
            transition()
    assert BotOrder.objects.get(pk=order.pk).state == OrderState.FILLED


def test_an_unknown_outcome_is_resolved_by_lookup_never_by_resending(bot):
    order = order_outcome_unknown(new_order(bot), reason="timeout after the request")
    assert order.state == OrderState.UNKNOWN
    assert order_accepted(order, exchange_order_id="found-by-client-id").state == OrderState.OPEN
    other = order_outcome_unknown(new_order(bot, leg="exit"), reason="timeout")
    assert order_failed(other, reason="not found past the window").state == OrderState.FAILED


def test_a_pending_order_cannot_fill_before_it_is_accepted(bot):
    order = new_order(bot)
    with pytest.raises(InvalidTransition, match="pending_submit -> filled is not allowed"):
        order_fill(order, quantity=Decimal(1), price=Decimal(1), fee=Decimal(0), candle_ms=START)
    assert order_cancelled(order, reason="stopped before sending").state == OrderState.CANCELLED
    with pytest.raises(InvalidTransition):
        order_accepted(order, exchange_order_id="X")


def test_two_movers_of_one_order_cannot_both_win(bot):
    order = new_order(bot)
    stale_copy = BotOrder.objects.get(pk=order.pk)
    order_accepted(order, exchange_order_id="A")
    order_cancelled(order, reason="stop")
    with pytest.raises(InvalidTransition):
        order_accepted(stale_copy, exchange_order_id="B")


def test_a_send_is_claimed_once_from_pending_or_unknown(bot):
    order = new_order(bot)
    stale = BotOrder.objects.get(pk=order.pk)  # another worker's copy, read before the claim
    claimed = order_send_claimed(order, reason="sent")
    assert (claimed.state, claimed.send_attempts) == (OrderState.UNKNOWN, 1)
    assert claimed.submitted_at is not None
    with pytest.raises(InvalidTransition):  # the other worker's claim of the same send
        order_send_claimed(stale, reason="sent")
    again = order_send_claimed(claimed, reason="not found past the window: sent again")
    assert again.send_attempts == 2
    order_accepted(again, exchange_order_id="42")
    with pytest.raises(InvalidTransition):  # open: never sent again
        order_send_claimed(again, reason="sent")
