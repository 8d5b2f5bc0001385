"""Every answer that is not a definite refusal, on every order a live bot sends: entries, exits
and the close of a stop. Binance's 5xx with each "execution status unknown" JSON code, a proxy's
HTML or plain-text 5xx, a connection reset and a 408 -1007, each before and after the exchange
accepted (and filled) the order; real ccxt against the emulator, the steps and syncs run by a real
Celery worker. Each leaves exactly one exchange order per decision, the bot's books equal to the
exchange's, and the bot running. Then the orphans: an order booked refused that the exchange
has after all is adopted into the books."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest

from apps.execution.models import (
    LIVE_ORDER_STATES,
    Bot,
    BotEvent,
    BotOrder,
    BotPosition,
    BotStatus,
    OrderState,
)
from apps.execution.services.bots import bot_start, bot_stop
from apps.execution.services.live import live_sync
from apps.execution.services.step import StepOutcome

from .helpers import BAR, START, step_on_time
from .live_helpers import KEY, assert_books_agree, balances, live_bot

FAULTS = {
    "5xx -1000": {"kind": "server_error", "status": 500, "body": "json", "code": -1000},
    "5xx -1001": {"kind": "server_error", "status": 503, "body": "json", "code": -1001},
    "5xx -1006": {"kind": "server_error", "status": 502, "body": "json", "code": -1006},
    "5xx -1007": {"kind": "server_error", "status": 504, "body": "json", "code": -1007},
    "5xx html (a proxy)": {"kind": "server_error", "status": 502, "body": "html"},
    "5xx plain text": {"kind": "server_error", "status": 503, "body": "text"},
    "connection reset": {"kind": "reset"},
    "408 -1007": {"kind": "server_error", "status": 408, "body": "json", "code": -1007},
}
CASES = [
    (f"{name}, {'after' if accepted else 'before'} acceptance", {**fault, "accepted": accepted})
    for name, fault in FAULTS.items()
    for accepted in (False, True)
]
FAST = {"fast_period": 3, "slow_period": 8}  # crossings every few bars: many orders, few candles
WINDOW_S = 1.0  # the not-found window here: the emulator hides no order (lookup lag 0)
TEN_YEARS_S = 10 * 365 * 86_400.0  # the worker steps 2024's candles on today's clock
TASK_TIMEOUT_S = 120


class InProcess:
    """Steps and syncs in the test's process (what a planted bug can be patched into)."""

    def __init__(self, emu, bot: Bot):
        self.emu, self.bot = emu, bot

    def step(self, candle: int) -> None:
        self.emu.clock_set(candle + BAR + 1_000)
        assert step_on_time(self.bot, candle).outcome == StepOutcome.DECIDED

    def sync(self) -> None:
        live_sync(bot_id=self.bot.pk)


class OnWorker(InProcess):
    """Steps and syncs as production runs them: Celery tasks through Redis to a real worker,
    each awaited (its result stored for the test only)."""

    def step(self, candle: int) -> None:
        from apps.execution.tasks import bot_step_task

        self.emu.clock_set(candle + BAR + 1_000)
        done = bot_step_task.apply_async((self.bot.pk, candle), ignore_result=False)
        assert done.get(timeout=TASK_TIMEOUT_S) == StepOutcome.DECIDED

    def sync(self) -> None:
        from apps.execution.tasks import bot_orders_sync

        bot_orders_sync.apply_async((self.bot.pk,), ignore_result=False).get(timeout=TASK_TIMEOUT_S)


def settle(run: InProcess, *, seconds: float = 30.0) -> None:
    """Sync until no order of the bot is in flight (a resend waits out the not-found window)."""
    deadline = time.monotonic() + seconds
    while True:
        run.sync()
        if not BotOrder.objects.filter(bot=run.bot, state__in=LIVE_ORDER_STATES).exists():
            return
        assert time.monotonic() < deadline, list(BotOrder.objects.filter(bot=run.bot))
        time.sleep(0.2)


def step_until(run: InProcess, candle: int, done, *, limit: int = 200) -> int:
    """Step from `candle` until `done()`; the next candle to step."""
    for _ in range(limit):
        if done():
            return candle
        run.step(candle)
        candle += BAR
    raise AssertionError(f"not done after {limit} candles")


def inject(emu, fault: dict) -> None:
    fault = dict(fault)
    emu.inject(fault.pop("kind"), endpoint="order", **fault)


def assert_fault_survived(emu, bot: Bot, order: BotOrder, fault: dict) -> None:
    """The faulted order: filled once on the exchange (resent once only when the exchange never
    had it), the books equal to the exchange's, the bot still trading."""
    order.refresh_from_db()
    assert order.state == OrderState.FILLED, (order.state, order.state_message)
    assert order.send_attempts == (1 if fault["accepted"] else 2)
    assert_books_agree(emu, bot)
    bot.refresh_from_db()
    assert bot.status in (BotStatus.RUNNING, BotStatus.STOPPED), bot.status_message


def entries_and_exits_under_faults(run: InProcess, cases) -> None:
    """For each fault: once on the bot's next entry, once on its next exit."""
    emu, bot = run.emu, run.bot
    candle = START
    for name, fault in cases:
        for leg in ("entry", "exit"):
            sent = BotOrder.objects.filter(bot=bot).count()
            inject(emu, fault)
            candle = step_until(run, candle, lambda: not emu.faults)  # an order met the fault
            order = BotOrder.objects.filter(bot=bot).order_by("id").last()
            assert BotOrder.objects.filter(bot=bot).count() == sent + 1, name
            assert order.leg == leg, (name, order.leg)
            # Never booked refused: unknown until the exchange says, then settled.
            assert order.state == OrderState.UNKNOWN, (name, order.state, order.state_message)
            settle(run)
            assert_fault_survived(emu, bot, order, fault)
            assert Bot.objects.get(pk=bot.pk).status == BotStatus.RUNNING, name


@pytest.fixture
def worker(python, subprocess_env, tmp_path, module_emulator):
    from apps.analytics.tests.test_workers import Workers
    from config.celery import app

    app.control.purge()
    workers = Workers(python, subprocess_env, tmp_path)
    workers.start(
        "live",
        EXCHANGE_API_HOSTS=json.dumps({"binance": module_emulator.url}),
        EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS=str(WINDOW_S),
    )
    yield workers
    workers.stop()


@pytest.fixture
def fast_bot(ana, btc_may, emu, account, settings):
    settings.EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS = WINDOW_S
    return live_bot(ana, btc_may, account, params=FAST, staleness_seconds=TEN_YEARS_S)


@pytest.mark.django_db(transaction=True)
def test_every_unknown_answer_on_entries_and_exits_leaves_one_order_each(emu, fast_bot, worker):
    try:
        entries_and_exits_under_faults(OnWorker(emu, fast_bot), CASES)
    except Exception:
        print(worker.output())
        raise
    assert fast_bot.trades.count() >= len(CASES)


@pytest.mark.django_db(transaction=True)
def test_every_unknown_answer_on_a_stop_with_close_leaves_one_close(emu, fast_bot, worker):
    """Stop with close (the API's path: the close sent by the task enqueued on commit), under
    each fault; then started again for the next one."""
    run, bot = OnWorker(emu, fast_bot), fast_bot
    candle = START
    try:
        for name, fault in CASES:
            candle = step_until(run, candle, lambda: BotPosition.objects.filter(bot=bot).exists())
            settle(run)
            inject(emu, fault)
            emu.clock_set(candle + 1_000)
            bot_stop(bot=bot, close_position=True, now_ms=candle)  # the close goes on commit
            deadline = time.monotonic() + TASK_TIMEOUT_S
            while emu.faults:
                assert time.monotonic() < deadline, (name, worker.output())
                time.sleep(0.05)
            close = BotOrder.objects.get(bot=bot, leg="close", candle_ms=candle)
            settle(run)
            close.refresh_from_db()
            bot.refresh_from_db()
            assert bot.status == BotStatus.STOPPED, (name, bot.status_message)
            assert not BotPosition.objects.filter(bot=bot).exists()
            assert bot.trades.order_by("number").last().exit_reason == "close"
            assert_fault_survived(emu, bot, close, fault)
            candle += BAR
            bot_start(bot=bot, now_ms=candle)
    except Exception:
        print(worker.output())
        raise


def test_a_planted_misclassification_fails_the_fault_checks(emu, fast_bot, monkeypatch):
    """The checks above catch the bug they are for: with a 5xx treated as a refusal, the filled
    entry is booked failed, the bot stops, and the books no longer equal the exchange's."""
    from apps.exchanges import exchange_client

    real = exchange_client.send_outcome

    def planted(error, trace):
        if trace.status is not None and trace.status >= 500:
            return exchange_client.PermanentExchangeError
        return real(error, trace)

    monkeypatch.setattr(exchange_client, "send_outcome", planted)
    case = ("5xx -1001, after acceptance", CASES[3][1])
    assert case[1] == {**FAULTS["5xx -1001"], "accepted": True}
    with pytest.raises(AssertionError):
        entries_and_exits_under_faults(InProcess(emu, fast_bot), [case])
    fast_bot.refresh_from_db()
    assert fast_bot.status == BotStatus.ERROR
    assert len(emu.book.orders(KEY)) == 1  # the exchange filled it; the books say refused


# -- orphans: booked refused, but the exchange has it -------------------------------------------


def test_an_entry_booked_refused_that_the_exchange_filled_is_adopted(emu, fast_bot):
    """The exchange answers 400 -2010 but filled the order (a refusal that was not): the bot
    stops with the refusal; the next sync finds the order by its client id, books the position
    it was, tells it in the events, and says so in the bot's status."""
    run, bot = InProcess(emu, fast_bot), fast_bot
    emu.inject("reject", endpoint="order", accepted=True, msg="Order rejected by the exchange.")
    step_until(run, START, lambda: not emu.faults)
    order = BotOrder.objects.get(bot=bot)
    bot.refresh_from_db()
    assert order.state == OrderState.FAILED and bot.status == BotStatus.ERROR
    assert not BotPosition.objects.filter(bot=bot).exists()
    [booked] = emu.book.orders(KEY)
    assert booked["status"] == "FILLED"  # the orphan: the account bought, the books say flat

    from apps.execution.tasks import reconcile_bots

    reconcile_bots()  # beat's periodic reconcile (every sync does the same)
    order.refresh_from_db()
    bot.refresh_from_db()
    assert order.state == OrderState.FILLED and order.send_attempts == 1
    position = BotPosition.objects.get(bot=bot)
    assert position.size == balances(emu)["BTC"]
    adopted = BotEvent.objects.get(bot=bot, kind="order", message__startswith="adopted")
    assert order.client_order_id in adopted.message and "booked failed" in adopted.message
    assert bot.status == BotStatus.ERROR  # stopped, so that its owner decides
    assert "was filled on the exchange: it is now booked as the position" in bot.status_message
    assert_books_agree(emu, bot)
    reconcile_bots()  # adopted once: nothing more to do
    assert BotEvent.objects.filter(bot=bot, message__startswith="adopted").count() == 1


def test_a_refused_order_the_exchange_never_had_is_settled_after_the_window(emu, fast_bot):
    run, bot = InProcess(emu, fast_bot), fast_bot
    emu.inject("reject", endpoint="order", msg="Account has insufficient balance.")
    step_until(run, START, lambda: not emu.faults)
    order = BotOrder.objects.get(bot=bot)
    assert order.state == OrderState.FAILED and order.orphan_checked_at is None
    emu.reset_requests()

    def lookups() -> int:
        return sum(r["path"] == "/api/v3/order" and r["method"] == "GET" for r in emu.requests)

    live_sync(bot_id=bot.pk)  # looked up: not found, but still inside the window
    assert BotOrder.objects.get(pk=order.pk).orphan_checked_at is None and lookups() == 1
    sent = order.submitted_at - timedelta(seconds=WINDOW_S)  # the window has passed
    BotOrder.objects.filter(pk=order.pk).update(submitted_at=sent)
    live_sync(bot_id=bot.pk)
    order.refresh_from_db()
    assert order.orphan_checked_at is not None and order.state == OrderState.FAILED
    assert lookups() == 2
    live_sync(bot_id=bot.pk)  # settled: never looked up again
    assert lookups() == 2


def test_a_surplus_of_the_base_asset_on_the_account_is_said_in_words(emu, fast_bot):
    """Something bought on the account that no bot booked (here, outside the platform): the
    periodic check names the surplus on the bot; once it is gone, the warning goes too."""
    from apps.execution.tasks import reconcile_bots

    run, bot = InProcess(emu, fast_bot), fast_bot
    emu.book.account(KEY).free["BTC"] = Decimal("0.2")  # held before the bot's first sync
    run.step(START)  # the first sync measures what the account holds apart from the bots
    bot.refresh_from_db()
    assert bot.base_outside == Decimal("0.2") and bot.books_warning == ""
    reconcile_bots()
    assert Bot.objects.get(pk=bot.pk).books_warning == ""
    emu.book.account(KEY).free["BTC"] += Decimal("0.05")  # an order filled that no bot booked
    reconcile_bots()
    bot.refresh_from_db()
    assert "holds 0.05 BTC more than the books" in bot.books_warning
    assert BotEvent.objects.filter(bot=bot, kind="warning").count() == 1
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(bot.owner)
    shown = api.get(f"/api/execution/bots/{bot.pk}/").json()
    assert shown["books_warning"] == bot.books_warning
    emu.book.account(KEY).free["BTC"] -= Decimal("0.05")
    reconcile_bots()
    assert Bot.objects.get(pk=bot.pk).books_warning == ""


PROTECTION_CASES = [
    (name, fault)
    for name, fault in CASES
    if name.startswith(("5xx -1001", "connection reset", "408 -1007", "5xx html"))
]


def protection_settled(run: InProcess, *, seconds: float = 30.0) -> BotOrder:
    """Sync until the bot's protection is placed for sure (open on the exchange): it."""
    deadline = time.monotonic() + seconds
    while True:
        run.sync()
        current = BotOrder.objects.filter(bot=run.bot, leg="protect").order_by("id").last()
        if current is not None and current.state == OrderState.OPEN:
            return current
        assert time.monotonic() < deadline, list(BotOrder.objects.filter(bot=run.bot))
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_protections_on_a_worker_are_placed_once_and_a_fill_while_it_is_down_is_booked_once(
    emu, ana, btc_may, account, settings, worker, btc_5m_candles
):
    """Each unknown answer on an OCO's send, the steps and syncs on a real worker: one OCO on
    the exchange. Then the worker stops, the market reaches the stop, a worker starts again and
    the periodic reconcile (on it) books the stop once, at the exchange's bar and price."""
    from apps.execution.tasks import reconcile_bots

    settings.EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS = WINDOW_S
    stops = {"allow_short": False, "size": 0.5, "stop_loss": 0.003, "take_profit": 0.006}
    bot = live_bot(ana, btc_may, account, params=FAST, staleness_seconds=TEN_YEARS_S, config=stops)
    run, candle = OnWorker(emu, bot), START
    try:
        for name, fault in PROTECTION_CASES:
            fault = dict(fault)
            candle = step_until(
                run, candle, lambda: not BotPosition.objects.filter(bot=bot).exists()
            )
            emu.inject(fault.pop("kind"), endpoint="orderList", **fault)
            candle = step_until(run, candle, lambda: not emu.faults)  # the OCO met the fault
            protection = protection_settled(run)
            placed = [
                o
                for o in emu.book.orders(KEY)
                if o["clientOrderId"][:-1] == protection.client_order_id
            ]
            assert len(placed) == 2, (name, placed)  # its two legs, once
            assert protection.send_attempts == (1 if fault["accepted"] else 2), name
        worker.stop()  # the platform is away
        stop = float(protection.trigger_price)
        lows = dict(zip(btc_5m_candles.open_time.tolist(), btc_5m_candles.low, strict=True))
        hit = next(t for t in sorted(lows) if t >= candle and lows[t] <= stop)
        emu.clock_set(hit + 10 * BAR)  # the stop fills on the exchange meanwhile
        worker.start(
            "live",
            EXCHANGE_API_HOSTS=json.dumps({"binance": emu.url}),
            EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS=str(WINDOW_S),
        )
        for _ in range(2):  # the restart's reconcile, twice: booked once
            reconcile_bots.apply_async(ignore_result=False).get(timeout=TASK_TIMEOUT_S)
    except Exception:
        print(worker.output())
        raise
    protection.refresh_from_db()
    assert protection.state == OrderState.FILLED
    trade = bot.trades.order_by("number").last()
    assert trade.exit_order_id == protection.pk and trade.exit_reason == "stop_loss"
    assert trade.exit_time == hit
    assert not BotPosition.objects.filter(bot=bot).exists()
    assert_books_agree(emu, bot)
