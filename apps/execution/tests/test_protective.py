"""Protective orders on the exchange (services/live.py): a live entry that fills puts its
stop-loss (and take-profit: an OCO) on the exchange, exactly once, sized to what was filled;
the exchange fills it on the bar's range, at the backtest's price (the stop, or the open of a bar
that gaps through it); a fill while the platform is away is booked at the next sync as the trade
it was; a strategy exit cancels it (confirmed) before it is sent, so a position never has two
closes; a stop that moves is replaced. Real ccxt against the emulator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.execution.models import BotOrder, BotPosition, BotStatus, OrderState
from apps.execution.services.bots import bot_stop
from apps.execution.services.live import live_sync

from .helpers import BAR, START, running_bot, step_on_time
from .live_helpers import CAPITAL, COSTS, KEY, USDT0, balances, first_entry, live_bot, step

STOPS = {**COSTS, "stop_loss": 0.003}
OCO = {**COSTS, "stop_loss": 0.003, "take_profit": 0.004}


def protections(bot):
    return list(BotOrder.objects.filter(bot=bot, leg="protect").order_by("id"))


def exchange_orders(emu):
    return emu.book.orders(KEY)


def assert_protective_books_agree(emu, bot, *, quote_digits: Decimal = Decimal(0)):
    """The account holds what the books say (the position in BTC, the equity's quote), and
    the exchange holds each order once: a market order by its id, a protection's legs by its.
    `quote_digits`: the quote's tolerance (an order filled in parts at two prices is booked at
    their average, a division: exact to 1e-12, not to the last digit)."""
    bot.refresh_from_db()
    position = BotPosition.objects.filter(bot=bot).select_related("entry_order").first()
    size = position.size if position else Decimal(0)
    held = balances(emu)
    assert (
        size <= held.get("BTC", Decimal(0)) <= size + Decimal("0.00001") * (bot.trades.count() + 1)
    )
    paid = (
        position.entry_order.filled_quantity * position.entry_order.average_price
        if position
        else Decimal(0)
    )
    assert abs(held["USDT"] - (USDT0 + (bot.equity - CAPITAL) - paid)) <= quote_digits
    ids = [o["clientOrderId"] for o in exchange_orders(emu)]
    assert len(ids) == len(set(ids)), ids
    for order in BotOrder.objects.filter(bot=bot, send_attempts__gt=0):
        mine = [i for i in ids if i.startswith(order.client_order_id)]
        assert mine, order.client_order_id


def in_position(ana, btc_may, emu, account, config):
    """A live bot stepped to its first entry's fill: (bot, the entry's candle)."""
    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account, config=config)
    for k in range((entry - START) // BAR + 1):
        step(emu, bot, START + k * BAR)
    return bot, entry


def candles_by_open(btc_5m_candles):
    c = btc_5m_candles
    return {
        int(t): (o, h, lo)
        for t, o, h, lo in zip(c.open_time.tolist(), c.open, c.high, c.low, strict=True)
    }


def test_a_filled_entry_puts_its_stop_on_the_exchange_which_fills_at_the_backtests_price(
    ana, btc_may, emu, account, btc_5m_candles
):
    bot = live_bot(ana, btc_may, account, config=STOPS)
    bars = candles_by_open(btc_5m_candles)
    for k in range(250):
        step(emu, bot, START + k * BAR)
    bot.refresh_from_db()
    assert bot.status == BotStatus.RUNNING, bot.status_message
    stopped = list(bot.trades.filter(exit_reason="stop_loss"))
    assert stopped, "no stop filled on the exchange"
    for trade in stopped:
        order = trade.exit_order
        assert order.leg == "protect" and order.kind == "stop_limit"
        stop = order.trigger_price
        assert float(stop) == pytest.approx(float(trade.entry_price) * 0.997, rel=1e-6)
        bar_open, _, low = bars[trade.exit_time]
        assert low <= float(stop)  # the exchange filled it on the bar that reached it
        assert float(trade.exit_price) == pytest.approx(min(bar_open, float(stop)), abs=0.011)
    assert all(p.send_attempts == 1 for p in protections(bot))
    assert_protective_books_agree(emu, bot)


def test_an_oco_closes_at_the_target_or_the_stop_and_the_other_leg_expires(
    ana, btc_may, emu, account, btc_5m_candles
):
    bot = live_bot(ana, btc_may, account, config=OCO)
    bars = candles_by_open(btc_5m_candles)
    for k in range(250):
        step(emu, bot, START + k * BAR)
    reasons = {t.exit_reason for t in bot.trades.all()}
    assert {"stop_loss", "take_profit"} <= reasons, reasons
    for trade in bot.trades.filter(exit_reason="take_profit"):
        bar_open, high, _ = bars[trade.exit_time]
        target = trade.exit_order.target_price
        assert high >= float(target)
        assert float(trade.exit_price) == pytest.approx(max(bar_open, float(target)), abs=0.011)
    legs = {o["clientOrderId"]: o["status"] for o in exchange_orders(emu)}
    for order in protections(bot):
        if order.state == OrderState.FILLED:
            assert sorted(legs[order.client_order_id + s] for s in "st") == ["EXPIRED", "FILLED"]
    assert_protective_books_agree(emu, bot)


def test_a_stop_filled_while_the_platform_is_away_is_booked_at_the_next_sync(
    ana, btc_may, emu, account, btc_5m_candles
):
    bot, entry = in_position(ana, btc_may, emu, account, STOPS)
    [protection] = protections(bot)
    assert protection.state == OrderState.OPEN
    stop = float(protection.trigger_price)
    # The platform is away: the market moves on until a bar reaches the stop.
    bars = candles_by_open(btc_5m_candles)
    hit = next(t for t in sorted(bars) if t > entry and bars[t][2] <= stop)
    emu.clock_set(hit + 20 * BAR)
    live_sync(bot_id=bot.pk, holdings=True)  # the restart's reconcile
    live_sync(bot_id=bot.pk, holdings=True)  # again: booked once
    [trade] = bot.trades.all()
    assert trade.exit_reason == "stop_loss" and trade.exit_time == hit
    assert float(trade.exit_price) == pytest.approx(min(bars[hit][0], stop), abs=0.011)
    [filled] = [o for o in exchange_orders(emu) if o["clientOrderId"] == protection.client_order_id]
    assert Decimal(filled["executedQty"]) == trade.size
    assert not BotPosition.objects.filter(bot=bot).exists()
    assert_protective_books_agree(emu, bot)


def test_a_close_cancels_the_protection_first_and_sends_one_close(ana, btc_may, emu, account):
    bot, entry = in_position(ana, btc_may, emu, account, OCO)
    [protection] = protections(bot)
    bot_stop(bot=bot, close_position=True, now_ms=entry + 2 * BAR)
    live_sync(bot_id=bot.pk)
    bot.refresh_from_db()
    assert bot.status == BotStatus.STOPPED, bot.status_message
    protection.refresh_from_db()
    assert protection.state == OrderState.CANCELLED
    legs = [o for o in exchange_orders(emu) if o["clientOrderId"].startswith("bt")]
    assert {o["clientOrderId"]: o["status"] for o in legs if "pr" in o["clientOrderId"]} == {
        protection.client_order_id + "s": "CANCELED",
        protection.client_order_id + "t": "CANCELED",
    }
    [trade] = bot.trades.all()
    assert trade.exit_reason == "close"
    assert_protective_books_agree(emu, bot)


def test_a_close_decided_while_the_stop_filled_is_not_sent(
    ana, btc_may, emu, account, btc_5m_candles
):
    bot, entry = in_position(ana, btc_may, emu, account, STOPS)
    [protection] = protections(bot)
    bars = candles_by_open(btc_5m_candles)
    hit = next(
        t for t in sorted(bars) if t > entry and bars[t][2] <= float(protection.trigger_price)
    )
    emu.clock_set(hit + BAR + 1_000)  # the stop fills on the exchange...
    bot_stop(bot=bot, close_position=True, now_ms=hit + BAR)  # ...as the owner asks to close
    live_sync(bot_id=bot.pk)
    bot.refresh_from_db()
    assert bot.status == BotStatus.STOPPED, bot.status_message
    [trade] = bot.trades.all()
    assert trade.exit_reason == "stop_loss"
    close = BotOrder.objects.get(bot=bot, leg="close")
    assert close.state == OrderState.CANCELLED and close.send_attempts == 0
    assert [o["side"] for o in exchange_orders(emu)] == ["BUY", "SELL"]  # one close
    assert_protective_books_agree(emu, bot)


def test_a_stop_that_moves_is_replaced_once(ana, btc_may, emu, account):
    bot, entry = in_position(ana, btc_may, emu, account, STOPS)
    [first] = protections(bot)
    position = BotPosition.objects.get(bot=bot)
    position.stop_price = position.stop_price * Decimal("0.999")  # as a trailing stop would
    position.save(update_fields=["stop_price"])
    live_sync(bot_id=bot.pk)
    live_sync(bot_id=bot.pk)
    old, new = protections(bot)
    assert old.pk == first.pk and old.state == OrderState.CANCELLED
    assert new.state == OrderState.OPEN and new.trigger_price == position.stop_price
    assert new.client_order_id == first.client_order_id[:-1] + "2"
    book = {o["clientOrderId"]: o["status"] for o in exchange_orders(emu)}
    assert book[old.client_order_id] == "CANCELED" and book[new.client_order_id] == "NEW"
    assert_protective_books_agree(emu, bot)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "no_answer"},
        {"kind": "server_error", "status": 503, "body": "json", "accepted": True},
        {"kind": "reset", "accepted": True},
        {"kind": "server_error", "status": 502},
        {"kind": "rate_limit", "retry_after": 0},
        {"kind": "lookup_lag", "seconds": 1},
    ],
    ids=lambda f: "-".join(str(v) for v in f.values()),
)
def test_a_protection_is_placed_exactly_once_under_every_fault(ana, btc_may, emu, account, fault):
    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account, config=OCO)
    for k in range((entry - START) // BAR):
        step(emu, bot, START + k * BAR)
    emu.inject(**fault, endpoint="orderList")
    step(emu, bot, entry)  # the entry fills, its protection's send meets the fault
    from .live_helpers import settle

    settle(emu, bot)
    [protection] = protections(bot)
    assert protection.state == OrderState.OPEN, [e.message for e in bot.events.all()]
    lists = [
        o for o in exchange_orders(emu) if o["clientOrderId"].startswith(protection.client_order_id)
    ]
    assert sorted(o["clientOrderId"] for o in lists) == [
        protection.client_order_id + "s",
        protection.client_order_id + "t",
    ]
    assert_protective_books_agree(emu, bot)


def test_a_stop_the_price_has_passed_closes_at_market(ana, btc_may, emu, account):
    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account, config=OCO)
    for k in range((entry - START) // BAR):
        step(emu, bot, START + k * BAR)
    emu.inject("reject", msg="Stop price would trigger immediately.", endpoint="orderList")
    step(emu, bot, entry)
    bot.refresh_from_db()
    assert bot.status == BotStatus.RUNNING, bot.status_message
    [trade] = bot.trades.all()
    assert trade.exit_reason == "stop_loss" and trade.exit_order.leg == "stop_loss"
    assert protections(bot)[0].state == OrderState.FAILED
    assert_protective_books_agree(emu, bot)


def test_live_protections_close_on_the_paper_bots_bars_for_the_same_reasons(
    ana, btc_may, emu, account
):
    """One stop rule everywhere: the live bot's protections (on the exchange) and the paper
    bot's stops (the backtest's rule) close the same trades on the same bars for the same
    reasons; only the prices differ by the exchange's real fills."""

    live = live_bot(ana, btc_may, account, config=OCO)
    paper = running_bot(ana, btc_may, name="paper", paper_capital=float(CAPITAL), config=OCO)
    for k in range(250):
        step(emu, live, START + k * BAR)
        step_on_time(paper, START + k * BAR)

    def trades(bot):
        return [(t.entry_time, t.exit_time, t.exit_reason) for t in bot.trades.order_by("number")]

    assert {r for _, _, r in trades(live)} >= {"stop_loss", "take_profit"}
    assert trades(live) == trades(paper)
    assert_protective_books_agree(emu, live)


def test_a_protection_that_fills_in_part_is_booked_once_done_and_the_books_agree_meanwhile(
    ana, btc_may, emu, account, btc_5m_candles
):
    """The triggered stop fills half, the rest rests at its limit (PARTIALLY_FILLED): the bot
    keeps the whole position in its books until the order is done (the holdings check counts
    the part sold), then books one trade for all of it."""
    bot, entry = in_position(ana, btc_may, emu, account, STOPS)
    # The next bar dips below the market's price (the entry bar's close): a stop between the
    # two triggers on it, under the partial_fill fault (it applies to the next new order).
    closes = dict(zip(btc_5m_candles.open_time.tolist(), btc_5m_candles.close, strict=True))
    bars = candles_by_open(btc_5m_candles)
    low, price = bars[entry + BAR][2], closes[entry]
    assert low < price
    emu.inject("partial_fill", fraction=0.5, endpoint="order")
    position = BotPosition.objects.get(bot=bot)
    position.stop_price = Decimal(str(round((low + price) / 2, 2)))
    position.save(update_fields=["stop_price"])
    live_sync(bot_id=bot.pk)
    _, protection = protections(bot)
    assert protection.state == OrderState.OPEN
    step(emu, bot, entry + BAR)  # the stop triggers; half fills, the rest rests at its limit
    protection.refresh_from_db()
    bot.refresh_from_db()
    assert bot.status == BotStatus.RUNNING, bot.status_message
    assert protection.state == OrderState.PARTIALLY_FILLED, protection.state_message
    assert BotPosition.objects.filter(bot=bot).exists() and not bot.trades.exists()
    for k in range(2, 60):  # a later bar reaches the limit: the rest fills
        step(emu, bot, entry + k * BAR)
        protection.refresh_from_db()
        if protection.state != OrderState.PARTIALLY_FILLED:
            break
    assert protection.state == OrderState.FILLED, protection.state_message
    bot.refresh_from_db()
    assert bot.status == BotStatus.RUNNING, bot.status_message
    [trade] = bot.trades.all()
    assert trade.exit_reason == "stop_loss" and trade.size == protection.filled_quantity
    assert_protective_books_agree(emu, bot, quote_digits=Decimal("1e-12"))
