"""Alerts delivered by a real Celery worker process (the notifications queue over the Redis
broker) to the local webhook receiver and SMTP server."""

from __future__ import annotations

import json
import subprocess

import pytest

from apps.notifications.events import KILL_SWITCH, Alert
from apps.notifications.models import AlertStatus, NotificationAlert
from apps.notifications.services import alerts_emit, channel_create, channel_test
from config.celery import app
from tests.workers import celery_worker_argv, celery_workers_wait

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


class Worker:
    """One worker process of the project's app (every queue), logging to a file of the test."""

    def __init__(self, python: str, env: dict[str, str], tmp_path) -> None:
        argv, self.hostname = celery_worker_argv(python, name="test-alerts", loglevel="info")
        self.log = tmp_path / "worker.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                argv, env=env, cwd=env["PYTHONPATH"], stdout=log, stderr=subprocess.STDOUT
            )
        celery_workers_wait(app, [self.hostname], output=self.output)

    def output(self) -> str:
        return self.log.read_text()[-4000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def worker(python, subprocess_env, transactional_db, tmp_path):
    # Stopped before the test database is flushed (this fixture depends on it).
    app.control.purge()  # nothing left over from an earlier run in this broker database
    started = Worker(python, subprocess_env, tmp_path)
    yield started
    started.stop()


def test_a_worker_delivers_a_test_and_a_bots_alert(ana, receiver, mailbox, worker) -> None:
    hook = channel_create(owner=ana, name="hook", url=receiver.url(), events=[])
    channel_create(owner=ana, name="mail", url=mailbox.url(), events=[KILL_SWITCH])
    test = channel_test(channel=hook)  # committed: sent after the commit (autocommit here)
    alerts_emit(
        user_id=ana.pk,
        alerts=[
            Alert(event=KILL_SWITCH, title="Bot 'b': kill switch", body="Killed", dedupe_key="k")
        ],
    )
    wait_for(lambda: receiver.requests, "the webhook got nothing", output=worker.output)
    assert json.loads(receiver.requests[0][1])["title"] == "Test alert"
    wait_for(lambda: mailbox.messages, "no e-mail arrived", output=worker.output)
    assert b"Killed" in mailbox.messages[0]
    wait_for(
        lambda: (
            not NotificationAlert.objects.exclude(status=AlertStatus.SENT).exists()
            and NotificationAlert.objects.count() == 2
        ),
        "the alerts were not all marked sent",
        output=worker.output,
    )
    assert NotificationAlert.objects.get(pk=test.pk).attempts == 1
