"""The bots' journal emits alerts: a paper bot's fill queues an alert for an owner with a fill
channel, and costs an owner without channels nothing but one cached lookup."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.notifications.models import AlertStatus, NotificationAlert
from apps.notifications.services import channel_create
from apps.notifications.task_names import ALERTS_RECORD
from apps.notifications.tasks import alerts_record_task
from apps.ops.models import OutboxTask

pytestmark = pytest.mark.django_db

# The journal that calls the hook belongs to execution (layer 4), which notifications (layer 3)
# never imports: its code layers are checked on every module, tests included. This test drives
# a real paper bot through execution's own test helpers, reached by name at run time (as the
# platform reaches its tasks), so the dependency stays test-only and one-way.
_bots = import_module("apps.execution.tests.helpers")
BAR, first_entry_candle, running_bot = _bots.BAR, _bots.first_entry_candle, _bots.running_bot
step_on_time, store_around = _bots.step_on_time, _bots.store_around
BotEvent = apps.get_model("execution", "BotEvent")

YEARS = 10 * 365 * 86_400.0  # 2024 candles count as fresh


def _fill_step(owner, symbol, candles):
    """A paper bot stepped to its first entry and the fill at the next open; the queries of
    that last step."""
    store_around(symbol, candles, first := candles.open_time[0] + 86_400_000 * 120)
    bot = running_bot(owner, symbol, start_ms=int(first), staleness_seconds=YEARS)
    entry = first_entry_candle(bot, start_ms=int(first))
    with CaptureQueriesContext(connection) as queries:
        step_on_time(bot, entry + BAR)
    assert BotEvent.objects.filter(bot=bot, kind="fill").count() == 1
    return bot, queries


def test_a_paper_fill_queues_an_alert_for_a_fill_channel(ana, btc_symbol, btc_5m_candles, receiver):
    channel = channel_create(owner=ana, name="fills", url=receiver.url(), events=["fill"])
    bot, _ = _fill_step(ana, btc_symbol, btc_5m_candles)
    (task,) = OutboxTask.objects.filter(task=ALERTS_RECORD)
    alerts_record_task(*task.args)  # what the notifications worker does after the commit
    alert = NotificationAlert.objects.get()
    assert alert.channel == channel and alert.event == "fill"
    assert alert.status == AlertStatus.QUEUED and alert.title == f"Bot '{bot.name}': fill"
    assert alert.body == BotEvent.objects.get(bot=bot, kind="fill").message


def test_an_owner_without_channels_costs_no_alert_query(ana, btc_symbol, btc_5m_candles):
    _, queries = _fill_step(ana, btc_symbol, btc_5m_candles)
    touching = [q["sql"] for q in queries.captured_queries if "notifications_" in q["sql"]]
    # The step that filled: at most the one lookup (none once it is cached), never a write.
    assert len(touching) <= 1 and all(sql.lstrip().upper().startswith("SELECT") for sql in touching)
    assert not OutboxTask.objects.filter(task=ALERTS_RECORD).exists()
