"""Alerts delivered by a real Celery worker process (the notifications queue over the Redis
broker) to the local webhook receiver and SMTP server."""

from __future__ import annotations

import json

import pytest

from apps.analytics.tests.test_workers import Workers
from apps.notifications.events import KILL_SWITCH, Alert
from apps.notifications.models import AlertStatus, NotificationAlert
from apps.notifications.services import alerts_emit, channel_create, channel_test
from config.celery import app

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def workers(python, subprocess_env, transactional_db, tmp_path):
    app.control.purge()
    started = Workers(python, subprocess_env, tmp_path)
    yield started
    started.stop()


def test_a_worker_delivers_a_test_and_a_bots_alert(ana, receiver, mailbox, workers) -> None:
    workers.start("alerts", app_module="config")
    hook = channel_create(owner=ana, name="hook", url=receiver.url(), events=[])
    channel_create(owner=ana, name="mail", url=mailbox.url(), events=[KILL_SWITCH])
    test = channel_test(channel=hook)  # committed: sent after the commit (autocommit here)
    alerts_emit(
        user_id=ana.pk,
        alerts=[
            Alert(event=KILL_SWITCH, title="Bot 'b': kill switch", body="Killed", dedupe_key="k")
        ],
    )
    wait_for(lambda: receiver.requests, "the webhook got nothing", output=workers.output)
    assert json.loads(receiver.requests[0][1])["title"] == "Test alert"
    wait_for(lambda: mailbox.messages, "no e-mail arrived", output=workers.output)
    assert b"Killed" in mailbox.messages[0]
    wait_for(
        lambda: (
            not NotificationAlert.objects.exclude(status=AlertStatus.SENT).exists()
            and NotificationAlert.objects.count() == 2
        ),
        "the alerts were not all marked sent",
        output=workers.output,
    )
    assert NotificationAlert.objects.get(pk=test.pk).attempts == 1
