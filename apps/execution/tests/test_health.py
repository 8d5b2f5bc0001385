"""Stalled bots (apps/execution/health.py, services/watch.py): a running bot whose decision is
late by a full bar is stalled, with the reason in words (no worker, no new candles and their age,
the symbol not tracked, the exchange refusing the download, a live bot's exchange not
answering), on the bots API and the dashboard; the watch records each stall once, and its end."""

from __future__ import annotations

import os

import pytest

from apps.datafeeds.fetch_state import fetch_failure_note, fetch_success_note
from apps.datafeeds.models import Symbol
from apps.execution.health import Cause, bots_stalled
from apps.execution.models import Bot, BotDecision, BotEvent
from apps.execution.services.watch import bots_watch
from apps.ops.redis_state import HEARTBEAT_PREFIX, heartbeat_write, ops_redis

from .helpers import BAR, START, running_bot, step_on_time, store_around

DAY = 86_400_000
LAST = START + DAY - BAR  # the last candle stored (store_around, one day after START)


@pytest.fixture
def workers():
    """The ops Redis of this test worker, without any worker's heartbeat; a fake bots worker
    alive with `alive()`."""
    client = ops_redis()
    assert client is not None  # the suite's broker is Redis

    def clear():
        for key in client.scan_iter(match=HEARTBEAT_PREFIX + "*"):
            client.delete(key)

    def alive(queues=("bots",)):
        heartbeat_write(client, hostname="bots@test", queues=list(queues), pid=os.getpid())

    clear()
    yield alive
    clear()


@pytest.fixture
def decided(ana, btc_symbol, btc_5m_candles):
    store_around(btc_symbol, btc_5m_candles, START, days_after=1)
    bot = running_bot(ana, btc_symbol)
    step_on_time(bot, START)
    return Bot.objects.select_related("symbol").get(pk=bot.pk)


def stall_of(bot, now_ms):
    bot = Bot.objects.select_related("symbol").get(pk=bot.pk)
    return bots_stalled([bot], now_ms=now_ms).get(bot.pk)


def test_a_bot_is_stalled_one_full_bar_after_its_candle_closed(decided, workers):
    due = START + 2 * BAR  # the next candle (START + BAR) closes then
    workers()
    assert stall_of(decided, due + BAR) is None  # late by exactly one bar: not yet
    stall = stall_of(decided, due + BAR + 1)
    assert stall.cause == Cause.NOT_DECIDED
    assert "is stored but no step has decided it" in stall.reason


def test_no_worker_on_the_bots_queue_is_said(decided, workers):
    workers(queues=("ingest", "backtests"))  # a worker, but none on the bots queue
    stall = stall_of(decided, START + 10 * BAR)
    assert stall.cause == Cause.NO_WORKER
    assert stall.reason.startswith("No worker is taking the bots queue's tasks")
    workers()
    assert stall_of(decided, START + 10 * BAR).cause == Cause.NOT_DECIDED


def test_no_new_candles_say_why_and_how_old_the_last_one_is(decided, workers):
    Bot.objects.filter(pk=decided.pk).update(last_candle_ms=LAST)  # decided up to the last one
    now = LAST + BAR + 3 * 3_600_000  # three hours after its close
    stall = stall_of(decided, now)
    assert stall.cause == Cause.NOT_TRACKED
    assert "BTCUSDT 5m is not tracked" in stall.reason and "--track" in stall.reason
    Symbol.objects.filter(pk=decided.symbol_id).update(tracked_timeframes=["5m"])
    stall = stall_of(decided, now)
    assert stall.cause == Cause.NO_CANDLES
    assert "the last one closed 3 h ago (2024-05-02 00:00 UTC)" in stall.reason
    fetch_failure_note(symbol_id=decided.symbol_id, timeframe="5m", message="binance: IP banned")
    try:
        stall = stall_of(decided, now)
        assert stall.cause == Cause.EXCHANGE
        assert stall.reason.endswith("the exchange refuses the download: binance: IP banned")
    finally:
        fetch_success_note(symbol_id=decided.symbol_id, timeframe="5m")
    assert stall_of(decided, now).cause == Cause.NO_CANDLES


def test_a_live_bot_waiting_for_its_exchange_two_bars_running_is_stalled(decided, workers):
    Bot.objects.filter(pk=decided.pk).update(mode="live")
    now = START + 2 * BAR  # on time
    wait = "waiting for the exchange: exchange unavailable: RequestTimeout"
    BotDecision.objects.filter(bot=decided).update(reason=wait)
    assert stall_of(decided, now) is None  # one bar of waiting
    BotDecision.objects.create(
        bot=decided, candle_ms=START + BAR, reason=wait, equity=1, delay_ms=0
    )
    stall = stall_of(decided, now)
    assert stall.cause == Cause.EXCHANGE
    assert stall.reason.endswith("exchange unavailable: RequestTimeout")


def test_the_api_and_the_dashboard_show_the_stall(client, decided, workers):
    workers()
    [bot] = client.get("/api/execution/bots/").json()
    assert bot["status"] == "running" and "is not tracked" in bot["stalled"]
    assert client.get(f"/api/execution/bots/{decided.pk}/").json()["stalled"] == bot["stalled"]
    summary = client.get("/api/execution/dashboard/summary/").json()
    assert summary["stalled"] == [{"bot": decided.pk, "name": "bot", "reason": bot["stalled"]}]


def test_the_watch_records_a_stall_once_and_its_end(decided, workers):
    workers()
    late = START + 10 * BAR
    assert bots_watch(now_ms=late) == 1
    assert bots_watch(now_ms=late + BAR) == 0  # the same stall: said once
    [event] = BotEvent.objects.filter(bot=decided, kind="stalled")
    assert event.message.startswith("Stalled: The 5m candle of 2024-05-01 00:05 UTC is stored")
    assert event.data["cause"] == Cause.NOT_DECIDED
    for k in range(1, 10):
        step_on_time(decided, START + k * BAR)
    assert bots_watch(now_ms=late) == 1
    assert BotEvent.objects.filter(bot=decided, kind="resumed").count() == 1
    assert Bot.objects.get(pk=decided.pk).stalled_cause == ""


def test_a_stall_is_alerted_on_a_channel_that_wants_it(ana, decided, workers):
    from apps.notifications.models import NotificationAlert
    from apps.notifications.services import channel_create
    from apps.notifications.task_names import ALERTS_RECORD
    from apps.notifications.tasks import alerts_record_task
    from apps.ops.models import OutboxTask

    channel = channel_create(
        owner=ana, name="ops", url="json://127.0.0.1:9/hook", events=["stalled"]
    )
    workers()
    assert bots_watch(now_ms=START + 10 * BAR) == 1  # within the watch after the bar
    (task,) = OutboxTask.objects.filter(task=ALERTS_RECORD)
    alerts_record_task(*task.args)  # what the notifications worker does after the commit
    alert = NotificationAlert.objects.get()
    assert alert.channel == channel and alert.event == "stalled"
    assert alert.body == BotEvent.objects.get(bot=decided, kind="stalled").message
