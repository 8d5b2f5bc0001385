"""Leases on claimed work and the sweeper, in-process against PostgreSQL and the Redis broker
(the real workers, a SIGKILL and a database outage are in apps/analytics/tests/test_recovery.py)."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from apps.ops import celery_signals
from apps.ops.leases import lease_key, work_lease, work_sweep
from apps.ops.models import WorkLease
from apps.ops.redis_state import (
    RESERVED_PREFIX,
    broker_redis,
    heartbeat_write,
    live_workers,
    ops_redis,
    queue_depths,
    reservation_add,
)
from config.celery import app

pytestmark = pytest.mark.django_db(transaction=True)  # the renewer has its own connection
TASK = "analytics.backtest_run_task"  # routed to the backtests queue


@pytest.fixture
def broker():
    app.control.purge()
    client = ops_redis()
    for key in client.scan_iter(match="ops:*"):
        client.delete(key)
    yield client
    app.control.purge()
    for key in client.scan_iter(match="ops:*"):
        client.delete(key)


def backtests_waiting(_=None) -> int:
    return queue_depths(broker_redis(), ["backtests"])["backtests"]


def test_a_lease_is_renewed_while_held_and_released_after(settings):
    settings.OPS_LEASE_SECONDS = 0.6  # renewed every 0.2 s
    with work_lease(task=TASK, args=[5], holder="w1@host") as lease:
        first = WorkLease.objects.get(pk=lease.pk)
        assert first.key == lease_key(TASK, [5]) == "analytics.backtest_run_task:[5]"
        time.sleep(1.0)  # longer than the lease: only renewal keeps it alive
        renewed = WorkLease.objects.get(pk=lease.pk)
        assert renewed.expires_at > timezone.now() and renewed.renewed_at > first.renewed_at
    assert not WorkLease.objects.exists()


def test_a_second_execution_takes_the_lease_over(settings):
    with (
        work_lease(task=TASK, args=[6], holder="old@host") as old,
        work_lease(task=TASK, args=[6], holder="new@host") as new,
    ):
        assert (new.pk, new.holder) == (old.pk, "new@host")
    # The newer execution released it; the older one's release left nothing behind.
    assert not WorkLease.objects.exists()


def test_the_sweep_re_enqueues_expired_leases_once_per_grace(broker, settings):
    now = timezone.now()
    for run_id, expires in ((1, now - timedelta(seconds=5)), (2, now + timedelta(minutes=1))):
        WorkLease.objects.create(
            key=lease_key(TASK, [run_id]), task=TASK, args=[run_id], holder="dead@host",
            token=f"00000000-0000-0000-0000-00000000000{run_id}", expires_at=expires,
            acquired_at=now, renewed_at=now,
        )  # fmt: skip
    report = work_sweep()
    assert report.expired_leases == [lease_key(TASK, [1])]
    assert backtests_waiting(broker) == 1
    swept = WorkLease.objects.get(args=[1])
    assert swept.requeues == 1 and swept.holder == ""
    assert swept.expires_at > now + timedelta(seconds=settings.OPS_REQUEUE_GRACE_SECONDS - 5)
    assert work_sweep().expired_leases == []  # not again before the grace has passed
    assert backtests_waiting(broker) == 1


def test_the_sweep_re_enqueues_what_a_dead_worker_had_reserved(broker):
    heartbeat_write(broker, hostname="alive@host", queues=["backtests"], pid=os.getpid())
    message = {"task": TASK, "args": [7], "kwargs": {}}
    reservation_add(broker, hostname="alive@host", task_id="t-alive", message=message)
    for task_id, run_id in (("t-1", 8), ("t-2", 9)):
        message = {"task": TASK, "args": [run_id], "kwargs": {}}
        reservation_add(broker, hostname="dead@host", task_id=task_id, message=message)
    report = work_sweep()
    assert (report.dead_workers, report.reservations) == (["dead@host"], 2)
    assert backtests_waiting(broker) == 2
    assert not broker.exists(RESERVED_PREFIX + "dead@host")
    assert broker.hlen(RESERVED_PREFIX + "alive@host") == 1  # a live worker keeps its own
    assert work_sweep().reservations == 0


def test_a_worker_restarted_under_its_name_sends_again_what_it_had_reserved(broker):
    """Its heartbeat makes the name look alive, so the sweeper would never see what the
    crashed process held: the new process sends it again as it starts."""
    message = {"task": TASK, "args": [11], "kwargs": {}}
    reservation_add(broker, hostname="backtests@host", task_id="t-11", message=message)
    celery_signals._heartbeat_start(sender="backtests@host", instance=SimpleNamespace(app=app))
    try:
        assert backtests_waiting() == 1
        assert not broker.exists(RESERVED_PREFIX + "backtests@host")
        assert "backtests" in live_workers(broker)["backtests@host"]["queues"]
    finally:
        celery_signals._heartbeat_stop()
    assert "backtests@host" not in live_workers(broker)  # a clean stop removes the heartbeat
