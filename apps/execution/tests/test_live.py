"""Live bots on the exchange emulator (real ccxt, the emulator's market clock moved bar by bar):
entries and exits at the paper bot's candles, balances equal to the position, and every order
fault ending with one exchange order per decision."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from decimal import Decimal

import pytest

from apps.execution.models import (
    Bot,
    BotDecision,
    BotEvent,
    BotOrder,
    BotPosition,
    BotStatus,
    OrderState,
)
from apps.execution.services.bots import (
    BotInvalid,
    bot_create,
    bot_start,
    bot_stop,
    bot_update,
)
from apps.execution.services.live import live_sync
from apps.execution.services.reconciliation import bot_reconciliation
from apps.execution.services.step import StepOutcome

from .helpers import BAR, START, running_bot, step_on_time
from .live_helpers import (
    CAPITAL,
    COSTS,
    KEY,
    USDT0,
    assert_books_agree,
    balances,
    first_entry,
    live_bot,
    settle,
    step,
    step_through,
)


def test_live_creation_needs_a_checked_account_of_the_exchange(ana, btc_may, emu, account):
    with pytest.raises(BotInvalid) as missing:
        running_bot(ana, btc_may, mode="live", config=COSTS)
    assert "exchange_account" in missing.value.errors
    with pytest.raises(BotInvalid) as shorts:
        running_bot(
            ana, btc_may, mode="live", exchange_account=account.pk, config={"allow_short": True}
        )
    assert "allow_short" in shorts.value.errors
    made = bot_create(  # without allow_short, a live bot is long only
        owner=ana,
        name="l",
        strategy="ema-cross",
        symbol=btc_may,
        mode="live",
        exchange_account=account.pk,
        params={"fast_period": 12, "slow_period": 26},
    )
    assert made.allow_short is False
    with pytest.raises(BotInvalid) as shorts:
        bot_update(bot=made, changes={"allow_short": True})
    assert "allow_short" in shorts.value.errors
    account.last_check_ok = False
    account.save()
    with pytest.raises(BotInvalid) as unchecked:
        live_bot(ana, btc_may, account)
    assert "connection check" in unchecked.value.errors["exchange_account"]
    with pytest.raises(BotInvalid) as start:  # nor started once its account fails a check
        bot_start(bot=made, now_ms=START)
    assert "connection check" in start.value.errors["exchange_account"]
    assert Bot.objects.get(pk=made.pk).status == BotStatus.STOPPED


def test_a_live_bot_refuses_to_start_on_candles_older_than_two_bars(ana, btc_may, emu, account):
    from rest_framework.test import APIClient

    from apps.datafeeds.models import CandleSeries

    made = live_bot(ana, btc_may, account)
    bot_stop(bot=made)
    last = CandleSeries.objects.get(symbol=btc_may, timeframe="5m").last_open_time
    bot_start(bot=made, now_ms=last + 3 * BAR)  # closed two bars ago: fresh enough
    bot_stop(bot=made)
    client = APIClient()
    client.force_authenticate(ana)
    refused = client.post(f"/api/execution/bots/{made.pk}/start/", format="json")
    assert refused.status_code == 400
    said = refused.json()["symbol"]
    assert said.startswith(f"{btc_may}'s last 5m candle closed ") and " days " in said
    assert "two bars" not in said and "at most 2 bars old" in said
    assert f"fetch_ohlcv {btc_may.name} 5m --exchange {btc_may.exchange} --track" in said
    assert Bot.objects.get(pk=made.pk).status == BotStatus.STOPPED
    paper = running_bot(ana, btc_may, name="paper")  # a paper bot replays what is stored
    bot_stop(bot=paper)
    bot_start(bot=paper)
    assert Bot.objects.get(pk=paper.pk).status == BotStatus.RUNNING


def test_a_live_bot_trades_at_the_paper_bots_candles_and_its_books_match_the_exchange(
    ana, btc_may, emu, account, btc_5m_candles
):
    live = live_bot(ana, btc_may, account)
    paper = running_bot(ana, btc_may, name="paper", paper_capital=float(CAPITAL), config=COSTS)
    candles = [START + k * BAR for k in range(300)]
    for candle in candles:
        assert step(emu, live, candle).outcome == StepOutcome.DECIDED
        assert step_on_time(paper, candle).outcome == StepOutcome.DECIDED
    assert_books_agree(emu, live)

    def actions(bot):
        return list(BotDecision.objects.filter(bot=bot).values_list("candle_ms", "action"))

    assert actions(live) == actions(paper)
    orders = list(BotOrder.objects.filter(bot=live))
    assert [(o.candle_ms, o.leg) for o in orders] == list(
        BotOrder.objects.filter(bot=paper).values_list("candle_ms", "leg")
    )
    assert len(orders) >= 4 and live.trades.count() >= 2
    close = dict(zip(btc_5m_candles.open_time.tolist(), btc_5m_candles.close.tolist(), strict=True))
    for order in orders:  # a market order fills at the close the bot decided at
        assert float(order.average_price) == close[order.candle_ms]
    # The reconciliation: every live trade next to the backtest's, on the same candles. The
    # backtest (and the paper bot) fill at the next candle's open, the exchange filled at the
    # close the bot decided at: that gap, and the commission taken in BTC, are the differences.
    live.refresh_from_db()
    recon = bot_reconciliation(bot=live)
    assert recon.summary["unmatched"] == 0 and recon.summary["matched"] == len(recon.rows) >= 2
    opens = dict(zip(btc_5m_candles.open_time.tolist(), btc_5m_candles.open.tolist(), strict=True))
    for row in recon.rows:
        ours, theirs = row["bot"], row["backtest"]
        assert ours["entry_price"] == close[ours["entry_time"] - BAR]
        assert theirs["entry_price"] == opens[theirs["entry_time"]]
        assert row["differences"]["entry_price"] == pytest.approx(
            close[ours["entry_time"] - BAR] - opens[ours["entry_time"]]
        )
        if ours["exit_time"] is not None:
            assert row["differences"]["exit_time_ms"] == 0
    assert abs(recon.summary["pnl_difference"]) < 0.01 * float(CAPITAL)


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(
            {"kind": "server_error", "status": 503, "endpoint": "order"},
            id="5xx-before-acceptance",
        ),
        pytest.param(
            {"kind": "server_error", "status": 502, "accepted": True, "endpoint": "order"},
            id="5xx-after-acceptance",
        ),
        pytest.param(
            {"kind": "rate_limit", "count": 4, "retry_after": 1, "endpoint": "order"},
            id="429-storm",
        ),
        pytest.param({"kind": "no_answer"}, id="answer-lost-and-not-found-for-a-while"),
    ],
)
def test_an_order_fault_ends_with_one_order_per_decision(ana, btc_may, emu, account, fault):
    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account)
    step_through(emu, bot, START, (entry - START) // BAR)
    fault = dict(fault)
    if fault["kind"] == "no_answer":
        emu.inject("lookup_lag", seconds=1.0)  # and its lookups answer -2013 for a second
    kind = fault.pop("kind")
    emu.inject(kind, fault.pop("count", 1), **fault)
    emu.reset_requests()
    step(emu, bot, entry)
    order = BotOrder.objects.get(bot=bot, leg="entry")
    sends = [r for r in emu.requests if r["method"] == "POST" and r["path"] == "/api/v3/order"]
    if kind == "rate_limit":  # refused four times before acceptance, then sent and filled
        assert [r["status"] for r in sends] == [429] * 4 + [200]
        assert order.state == OrderState.FILLED
    elif fault.get("accepted"):  # the answer is a 5xx, the next sync finds the order filled
        assert order.state == OrderState.UNKNOWN and len(emu.book.orders(KEY)) == 1
    else:
        # Not believed failed, not resent: looked up, and "does not exist" is not believed
        # within the window (no_answer: the order exists but lookups say -2013 for a second).
        assert order.state == OrderState.UNKNOWN
        sync = live_sync(bot_id=bot.pk)
        assert not sync.settled and "not found" in sync.in_flight[0]
        assert len(emu.book.orders(KEY)) == (1 if kind == "no_answer" else 0)
        assert BotOrder.objects.get(pk=order.pk).send_attempts == 1
    settle(emu, bot)
    step_through(emu, bot, entry + BAR, 60)
    order.refresh_from_db()
    assert order.state == OrderState.FILLED
    resent = fault.get("status") == 503  # never reached the exchange: sent again once
    assert order.send_attempts == (2 if resent else 1)
    assert_books_agree(emu, bot)


@pytest.mark.django_db(transaction=True)
def test_a_step_delivered_twice_and_two_steppers_at_once_send_one_order(ana, btc_may, emu, account):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account)
    step_through(emu, bot, START, (entry - START) // BAR)
    emu.clock_set(entry + BAR + 1_000)

    def one(_):
        try:
            return step_on_time(bot, entry).outcome
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(one, range(2)))
    assert outcomes == [StepOutcome.DECIDED, StepOutcome.DUPLICATE]
    assert step_on_time(bot, entry).outcome == StepOutcome.DUPLICATE
    assert live_sync(bot_id=bot.pk).settled
    assert len(emu.book.orders(KEY)) == 1
    assert_books_agree(emu, bot)


def test_stop_with_close_sells_the_position_at_market(ana, btc_may, emu, account):
    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account)
    step_through(emu, bot, START, (entry - START) // BAR + 2)
    assert BotPosition.objects.filter(bot=bot).exists()
    bot_stop(bot=bot, close_position=True, now_ms=entry + 3 * BAR)
    live_sync(bot_id=bot.pk)  # the task enqueued on commit (the test's transaction never commits)
    bot.refresh_from_db()
    assert bot.status == BotStatus.STOPPED and not BotPosition.objects.filter(bot=bot).exists()
    assert bot.trades.get().exit_reason == "close"
    assert_books_agree(emu, bot)


def test_an_entry_that_expires_part_filled_holds_what_was_bought(ana, btc_may, emu, account):
    """A market buy the exchange fills only in part, expiring the rest (a dry book): the
    position is what the account received, and the bot trades on with it."""
    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account)
    step_through(emu, bot, START, (entry - START) // BAR)
    emu.inject("partial_fill", fraction=0.4)
    step(emu, bot, entry)
    order = BotOrder.objects.get(bot=bot, leg="entry")
    assert order.state == OrderState.CANCELLED
    assert "expired by the exchange after filling" in order.state_message
    [booked] = emu.book.orders(KEY)
    assert booked["status"] == "EXPIRED" and Decimal(booked["executedQty"]) == order.filled_quantity
    assert (
        Decimal("0.39") * order.quantity < order.filled_quantity <= Decimal("0.4") * order.quantity
    )
    position = BotPosition.objects.get(bot=bot)
    assert position.size == balances(emu)["BTC"]  # bought less the commission
    step(emu, bot, entry + BAR)
    bot_stop(bot=bot, close_position=True, now_ms=entry + 3 * BAR)
    live_sync(bot_id=bot.pk)
    bot.refresh_from_db()
    assert bot.status == BotStatus.STOPPED
    assert position.size - bot.trades.get().size < Decimal("0.00001")  # sold to the lot step
    held = balances(emu)
    assert held["BTC"] < Decimal("0.00001")  # less than a lot step of dust
    assert held["USDT"] == USDT0 + (bot.equity - CAPITAL)


def closing_in_parts(ana, btc_may, emu, account, *fractions):
    """A bot in a position asked to stop with close, its close and the next sends filling only
    `fractions` of what they ask (the rest expires, as when the book runs dry)."""
    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account)
    step_through(emu, bot, START, (entry - START) // BAR + 2)
    size = BotPosition.objects.get(bot=bot).size
    for fraction in fractions:
        emu.inject("partial_fill", fraction=fraction)
    bot_stop(bot=bot, close_position=True, now_ms=entry + 3 * BAR)
    live_sync(bot_id=bot.pk)
    bot.refresh_from_db()
    return bot, size


def test_a_close_that_fills_in_part_sends_the_rest_until_the_position_is_sold(
    ana, btc_may, emu, account
):
    bot, size = closing_in_parts(ana, btc_may, emu, account, 0.5, 0.5)
    assert bot.status == BotStatus.STOPPED, bot.status_message
    closes = list(BotOrder.objects.filter(bot=bot, leg="close").order_by("id"))
    root = closes[0].client_order_id
    assert [o.client_order_id for o in closes] == [root, f"{root}r1", f"{root}r2"]
    assert [o.state for o in closes] == [OrderState.CANCELLED, OrderState.CANCELLED, "filled"]
    assert sum(o.filled_quantity for o in closes) == sum(t.size for t in bot.trades.all())
    assert size - sum(o.filled_quantity for o in closes) < Decimal("0.00001")  # the lot step
    assert not BotPosition.objects.filter(bot=bot).exists()
    held = balances(emu)
    assert held["BTC"] < Decimal("0.00001")
    assert held["USDT"] == USDT0 + (bot.equity - CAPITAL)
    said = [e.message for e in BotEvent.objects.filter(bot=bot, kind="order")]
    assert any(f"sent again as {root}r1" in m for m in said)


def test_a_close_whose_rest_is_dust_writes_it_off(ana, btc_may, emu, account):
    """A rest worth less than the market's minimum order (5 USDT) cannot be sold: dust."""
    bot, size = closing_in_parts(ana, btc_may, emu, account, 0.995)
    assert bot.status == BotStatus.STOPPED, bot.status_message
    [close] = BotOrder.objects.filter(bot=bot, leg="close")  # no remainder for dust
    assert close.state == OrderState.CANCELLED and close.filled_quantity < size
    assert not BotPosition.objects.filter(bot=bot).exists()
    assert bot.trades.get().size == close.filled_quantity
    assert balances(emu)["USDT"] == USDT0 + (bot.equity - CAPITAL)


def test_a_close_still_part_sold_after_its_remainders_stops_the_bot(ana, btc_may, emu, account):
    bot, size = closing_in_parts(ana, btc_may, emu, account, 0.5, 0.5, 0.5, 0.5)
    assert bot.status == BotStatus.ERROR
    assert "Only part of the position was sold" in bot.status_message
    closes = list(BotOrder.objects.filter(bot=bot, leg="close"))
    assert len(closes) == 4 and all(o.state == OrderState.CANCELLED for o in closes)
    left = BotPosition.objects.get(bot=bot)
    sold = sum(o.filled_quantity for o in closes)
    assert left.size == size - sold and sum(t.size for t in bot.trades.all()) == sold
    held = balances(emu)
    assert left.size <= held["BTC"] <= left.size + Decimal("0.00001")
    # The realised equity moved as the account's quote did; the rest is held at its cost.
    cost_left = left.size * left.entry_price + left.entry_fee
    assert float(held["USDT"]) == pytest.approx(float(USDT0 + bot.equity - CAPITAL - cost_left))
    assert BotEvent.objects.filter(bot=bot, kind="error").exists()


def test_a_refusal_stops_the_bot_with_the_exchanges_words(ana, btc_may, emu, account):
    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account)
    step_through(emu, bot, START, (entry - START) // BAR)
    emu.inject("reject", msg="Account has insufficient balance for requested action.")
    step(emu, bot, entry)
    bot.refresh_from_db()
    assert bot.status == BotStatus.ERROR
    assert "insufficient balance" in bot.status_message
    assert BotOrder.objects.get(bot=bot).state == OrderState.FAILED


# -- a process killed between the phases -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", ["before_send", "after_claim", "after_request"])
def test_a_step_killed_between_row_request_and_answer_sends_one_order(
    point, python, subprocess_env, tmp_path, ana, btc_may, emu, account
):
    """A separate process runs the entry's step and stops at the marked point (test settings
    read EXECUTION_TEST_PAUSE_AT); it is SIGKILLed there. The next sync finds the order (or,
    after the not-found window, sends it once)."""
    import json

    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account)
    step_through(emu, bot, START, (entry - START) // BAR)
    emu.clock_set(entry + BAR + 1_000)
    marker = tmp_path / "paused"
    code = (
        "import django; django.setup()\n"
        "from apps.execution.services.step import bot_step\n"
        f"bot_step(bot_id={bot.pk}, candle_ms={entry}, now_ms={entry + BAR + 1_000})\n"
    )
    env = {
        **subprocess_env,
        "EXECUTION_TEST_PAUSE_AT": point,
        "EXECUTION_TEST_PAUSE_MARKER": str(marker),
        "EXCHANGE_API_HOSTS": json.dumps({"binance": emu.url}),
    }
    process = subprocess.Popen(
        [python, "-c", code], env=env, cwd=subprocess_env["PYTHONPATH"], stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, process.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    order = BotOrder.objects.get(bot=bot, leg="entry")
    # The row says how far it got: written, or claimed for sending (maybe sent).
    assert order.state == (OrderState.PENDING_SUBMIT if point == "before_send" else "unknown")
    sent = len(emu.book.orders(KEY))
    assert sent == (1 if point == "after_request" else 0)
    settle(emu, bot)
    step_through(emu, bot, entry + BAR, 30)
    order.refresh_from_db()
    assert order.send_attempts == (2 if point == "after_claim" else 1)
    assert_books_agree(emu, bot)


@pytest.mark.django_db(transaction=True)
def test_two_processes_syncing_a_pending_order_at_once_send_it_once(ana, btc_may, emu, account):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from apps.execution.services.paper import order_create

    bot = live_bot(ana, btc_may, account)
    emu.clock_set(START + BAR + 1_000)
    order = order_create(
        bot=bot,
        candle_ms=START,
        leg="entry",
        position_side=1,
        size_fraction=0.5,
        decision_price=60_000.0,
    )

    def sync(_):
        try:
            return live_sync(bot_id=bot.pk)
        finally:
            connections.close_all()

    for _ in range(3):  # both see pending_submit: one claims the send, the other is told so
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(sync, range(2)))
    order.refresh_from_db()
    assert order.state == OrderState.FILLED and order.send_attempts == 1
    assert [o["clientOrderId"] for o in emu.book.orders(KEY)] == [order.client_order_id]


def test_the_api_creates_a_live_bot_only_on_your_checked_account(
    ana, btc_may, emu, account, django_user_model
):
    from rest_framework.test import APIClient

    body = {
        "name": "live",
        "strategy": "ema-cross",
        "symbol": "BTCUSDT",
        "mode": "live",
        "allow_short": False,
        "params": {"fast_period": 12, "slow_period": 26},
        "exchange_account": account.pk,
    }
    mine = APIClient()
    mine.force_authenticate(ana)
    created = mine.post("/api/execution/bots/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["mode"] == "live"
    assert created.json()["exchange_account"] == account.pk
    other = APIClient()
    other.force_authenticate(django_user_model.objects.create_user("eve", password="pw-eve-123"))
    refused = other.post("/api/execution/bots/", body, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"exchange_account": f"you have no exchange account {account.pk}"}


def test_a_take_profit_without_a_stop_is_checked_at_the_close_and_sold_at_market(
    ana, btc_may, emu, account, btc_5m_candles
):
    """A stop-loss rests on the exchange (test_protective.py); a take-profit alone has no
    protective order: it is checked at the candle's close and sold at market after it."""
    bot = running_bot(
        ana,
        btc_may,
        mode="live",
        exchange_account=account.pk,
        paper_capital=float(CAPITAL),
        config={**COSTS, "take_profit": 0.002},
    )
    for k in range(200):
        step(emu, bot, START + k * BAR)
    close = dict(zip(btc_5m_candles.open_time.tolist(), btc_5m_candles.close.tolist(), strict=True))
    targets = list(bot.trades.filter(exit_reason="take_profit"))
    assert targets, "no take-profit"
    assert not BotOrder.objects.filter(bot=bot, leg="protect").exists()
    for trade in targets:  # the close of the decision candle crossed the level
        decided = close[trade.exit_order.candle_ms]
        assert decided >= float(trade.entry_price) * 1.002
        assert float(trade.exit_price) == decided
    assert_books_agree(emu, bot)


def test_the_periodic_reconcile_resolves_an_unknown_order_after_a_restart(
    ana, btc_may, emu, account
):
    """The answer was lost and the process gone: beat's reconcile_bots finds the order by its
    client id and records the fill before any further step."""
    from apps.execution.tasks import reconcile_bots

    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account)
    step_through(emu, bot, START, (entry - START) // BAR)
    emu.inject("no_answer")
    step(emu, bot, entry)
    order = BotOrder.objects.get(bot=bot, leg="entry")
    assert order.state == OrderState.UNKNOWN and not BotPosition.objects.filter(bot=bot).exists()
    assert reconcile_bots() == 0
    order.refresh_from_db()
    assert order.state == OrderState.FILLED and order.send_attempts == 1
    assert BotPosition.objects.filter(bot=bot).exists()
    assert_books_agree(emu, bot)


@pytest.mark.django_db(transaction=True)
def test_two_celery_workers_stepping_a_live_bot_at_once_send_one_order(
    python, subprocess_env, tmp_path, ana, btc_may, emu, account
):
    """Real Celery workers (Redis broker), the entry candle's step delivered six times over
    two of them: one decision, one exchange order, books equal."""
    import json

    from apps.analytics.tests.test_workers import Workers
    from apps.execution.tasks import bot_step_task
    from config.celery import app
    from tests.workers import wait_until_idle

    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account, staleness_seconds=10 * 365 * 86_400.0)
    step_through(emu, bot, START, (entry - START) // BAR)
    emu.clock_set(entry + BAR + 1_000)
    app.control.purge()
    workers = Workers(python, subprocess_env, tmp_path)
    try:
        hostnames = workers.start("a", "b", EXCHANGE_API_HOSTS=json.dumps({"binance": emu.url}))
        for _ in range(6):
            bot_step_task.delay(bot.pk, entry)
        deadline = time.monotonic() + 60
        while not BotOrder.objects.filter(bot=bot, state=OrderState.FILLED).exists():
            assert time.monotonic() < deadline, workers.output()
            time.sleep(0.1)
        # Every duplicate delivered and done.
        wait_until_idle(app, list(hostnames.values()), output=workers.output)
    finally:
        workers.stop()
    assert BotDecision.objects.filter(bot=bot, candle_ms=entry).count() == 1
    assert [o["clientOrderId"] for o in emu.book.orders(KEY)] == [
        BotOrder.objects.get(bot=bot).client_order_id
    ]
    assert_books_agree(emu, bot)


def test_the_drawdown_kill_switch_closes_a_live_position_at_market(ana, btc_may, emu, account):
    from apps.risk.services import risk_profile_create

    profile = risk_profile_create(
        owner=ana,
        name="tight",
        values={
            "risk_per_trade": 0.004,
            "max_position_fraction": 1.0,
            "stop_loss": 0.006,
            "take_profit": None,
            "max_daily_loss": None,
            "max_drawdown": 0.002,
        },
    )
    bot = running_bot(
        ana,
        btc_may,
        mode="live",
        exchange_account=account.pk,
        paper_capital=float(CAPITAL),
        config={"allow_short": False},
        risk_profile=profile.pk,
    )
    for k in range(400):
        step(emu, bot, START + k * BAR)
        bot.refresh_from_db()
        if bot.status == BotStatus.KILLED and not BotPosition.objects.filter(bot=bot).exists():
            break
    assert bot.status == BotStatus.KILLED, bot.status_message
    assert bot.status_message.startswith("drawdown kill switch: equity ")
    killed_at = BotDecision.objects.get(bot=bot, action="killed").candle_ms
    for k in range(1, 4):  # killed: no decision, no order any more
        step(emu, bot, killed_at + k * BAR)
    assert not BotOrder.objects.filter(bot=bot, candle_ms__gt=killed_at).exists()
    assert BotOrder.objects.filter(bot=bot).last().leg == "kill"  # it closed the position
    assert bot.trades.last().exit_reason == "kill_switch"
    assert_books_agree(emu, bot)


def test_a_live_step_an_hour_late_sends_nothing(ana, btc_may, emu, account):
    from apps.execution.services.step import bot_step

    entry = first_entry(ana, btc_may)
    bot = live_bot(ana, btc_may, account)
    step_through(emu, bot, START, (entry - START) // BAR)
    emu.clock_set(entry + BAR + 3_600_000)
    late = bot_step(bot_id=bot.pk, candle_ms=entry, now_ms=entry + BAR + 3_600_000)
    assert late.outcome == StepOutcome.STALE
    assert not BotOrder.objects.filter(bot=bot).exists() and not emu.book.orders(KEY)


def test_an_account_a_live_bot_trades_through_cannot_be_deleted(ana, btc_may, emu, account):
    from rest_framework.test import APIClient

    bot = live_bot(ana, btc_may, account, name="keeps it")
    client = APIClient()
    client.force_authenticate(ana)
    refused = client.delete(f"/api/exchanges/accounts/{account.pk}/")
    assert refused.status_code == 409
    assert f"{bot.pk} 'keeps it'" in refused.json()["detail"]
    assert type(account).objects.filter(pk=account.pk).exists()


def test_an_account_a_live_bot_trades_through_gets_new_keys_but_keeps_its_exchange(
    ana, btc_may, emu, account
):
    from rest_framework.test import APIClient

    bot = live_bot(ana, btc_may, account, name="keeps it")
    client = APIClient()
    client.force_authenticate(ana)
    detail = f"/api/exchanges/accounts/{account.pk}/"
    for change in ({"exchange": "kraken"}, {"environment": "testnet"}):
        refused = client.patch(detail, change, format="json")
        assert refused.status_code == 409
        assert f"bot {bot.pk} 'keeps it'" in refused.json()["detail"]
        assert next(iter(change)) in refused.json()["detail"]
    # New keys (the exchange's rotation): accepted, the last check forgotten, then checked.
    emu.account_create("RotatedKey9Z", "rotated-secret-only-in-the-emulator", {"USDT": "10"})
    body = {"api_key": "RotatedKey9Z", "secret": "rotated-secret-only-in-the-emulator"}
    renewed = client.patch(detail, body, format="json")
    assert renewed.status_code == 200 and renewed.json()["api_key_hint"] == "...ey9Z"
    assert renewed.json()["last_check"]["ok"] is None
    checked = client.post(f"{detail}check/")
    assert checked.json()["ok"] and checked.json()["balances"]["USDT"]["total"] == "10"
    account.refresh_from_db()
    assert (account.exchange, account.environment) == ("binance", "live")


def test_an_accounts_bots_share_one_balance_read_per_candle(ana, btc_may, emu, account):
    """The holdings check of every live bot of one account reads the account (weight 20) once
    per candle, not once per bot and step; an order that moved makes a new read, so a check
    never compares a position with holdings from before its fill."""
    bots = [live_bot(ana, btc_may, account, name=f"b{i}") for i in range(3)]

    def reads() -> int:
        return sum(r["path"] == "/api/v3/account" for r in emu.requests)

    quiet, busy = [], []
    for k in range(150):
        candle = START + k * BAR
        emu.clock_set(candle + BAR + 1_000)
        before, moved = reads(), BotOrder.objects.filter(bot__in=bots).count()
        for bot in bots:
            assert step_on_time(bot, candle).outcome == StepOutcome.DECIDED
        held = BotPosition.objects.filter(bot__in=bots).count()
        fills = BotOrder.objects.filter(bot__in=bots).count() - moved
        (busy if fills else quiet).append((reads() - before, held, fills))
    assert any(held for _, held, _ in quiet), "the bots never held a position"
    assert all(n <= 1 for n, _, _ in quiet)  # one read per candle for the three bots
    # A fill changes the holdings: the next check reads again (the filling bot's, then the next
    # bot's before its step), never a snapshot from before it.
    assert all(n <= 1 + 2 * fills for n, _, fills in busy), busy
    assert not Bot.objects.filter(pk__in=[b.pk for b in bots]).exclude(status="running").exists()
