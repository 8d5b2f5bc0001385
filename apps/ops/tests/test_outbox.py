"""The task outbox (apps/ops/enqueue.py), in-process against PostgreSQL and the Redis broker: a
task is written with its transaction, sent after the commit and its row deleted; a broker that
cannot take it leaves the row, which the sweep sends once the broker answers. Nothing is lost,
nothing is sent before its rows are committed."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from celery import Celery
from django.db import transaction
from django.utils import timezone

from apps.ops import enqueue
from apps.ops.enqueue import outbox_sweep, task_send_on_commit, tasks_send_on_commit
from apps.ops.models import OutboxTask
from apps.ops.redis_state import broker_redis, queue_depths
from config.celery import app
from config.degraded import DEPENDENCY_FAILURES

pytestmark = pytest.mark.django_db(transaction=True)
TASK = "analytics.backtest_run_task"  # routed to the backtests queue


@pytest.fixture(autouse=True)
def empty_queues():
    app.control.purge()
    enqueue._broker_down_until = 0.0
    yield
    app.control.purge()
    enqueue._broker_down_until = 0.0


def waiting(queue: str = "backtests") -> int:
    return queue_depths(broker_redis(), [queue])[queue]


@pytest.fixture
def broker_away(monkeypatch, private_redis):
    """Sends go to a broker that has just gone away (a real connection refused, not a mock);
    calling the fixture's value brings the real broker back."""
    private_redis.stop()
    original = os.environ["CELERY_BROKER_URL"]
    monkeypatch.setenv("CELERY_BROKER_URL", private_redis.url)  # Celery reads it at each use
    dead = Celery("dead", set_as_current=False)  # celery.current_app stays the real one
    dead.conf.update(
        task_routes=app.conf.task_routes,
        task_publish_retry_policy=app.conf.task_publish_retry_policy,
    )
    monkeypatch.setattr(enqueue, "current_app", dead)

    def recover() -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", original)
        monkeypatch.setattr(enqueue, "current_app", app)

    return recover


def test_a_task_is_sent_after_its_commit_and_its_row_deleted():
    with transaction.atomic():
        task_send_on_commit(TASK, 1)
        assert OutboxTask.objects.filter(task=TASK, args=[1]).exists()  # with the transaction
        assert waiting() == 0  # nothing sent before the commit
    assert waiting() == 1
    assert not OutboxTask.objects.exists()


def test_a_rolled_back_transaction_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks_send_on_commit(TASK, [(1,), (2,)])
        raise RuntimeError
    assert waiting() == 0 and not OutboxTask.objects.exists()


def test_a_broker_outage_keeps_the_task_until_the_sweep_sends_it(broker_away):
    failures = DEPENDENCY_FAILURES.labels(dependency="broker", operation="send")
    before = failures._value.get()
    with transaction.atomic():
        tasks_send_on_commit(TASK, [(1,), (2,)])
    assert OutboxTask.objects.count() == 2  # committed, not sent: kept
    assert failures._value.get() == before + 1
    with transaction.atomic():
        task_send_on_commit(TASK, 3)  # the broker is known away: no new attempt per commit
    assert failures._value.get() == before + 1 and OutboxTask.objects.count() == 3

    broker_away()  # the broker answers again
    assert outbox_sweep() == 0  # too young: their own commit may still be sending them
    OutboxTask.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    assert outbox_sweep() == 3
    assert waiting() == 3 and not OutboxTask.objects.exists()
    assert outbox_sweep() == 0  # each sent once
