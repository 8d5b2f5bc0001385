"""Leases on claimed work (see models.WorkLease) and the sweeper that recovers lost work.

Two ways work is lost without the broker noticing quickly (Redis redelivers an unacknowledged
message only after the visibility timeout, an hour by default, which must stay above the
longest task):

- a worker dies while it runs the work, or the database goes away and the task gives up with
  its message acknowledged: the work's lease stops being renewed and expires;
- a worker dies holding prefetched messages it never started: its heartbeat stops, and the
  reservations it recorded (celery_signals) are left behind.

`work_sweep`, run by celery beat every OPS_SWEEP_SECONDS, re-enqueues both. Only idempotent
work may be recovered this way: the task is sent again with the same arguments, and the run's
claim token makes a second execution either take the run over or skip it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .metrics import WORK_REQUEUED
from .models import WorkLease
from .redis_state import live_workers, ops_redis, reservation_hosts, reservations_take

logger = logging.getLogger(__name__)


def lease_key(task: str, args: list) -> str:
    return f"{task}:{json.dumps(args, separators=(',', ':'))}"[:255]


@contextmanager
def work_lease(*, task: str, args: list, holder: str) -> Iterator[WorkLease]:
    """Hold a lease on (task, args) for the block, renewed every third of OPS_LEASE_SECONDS.

    Raises the database's error when the lease cannot be taken (the task then retries). When
    it cannot be released (the database away), it simply expires and the sweeper re-enqueues
    the task: the work's own state decides whether anything is left to do.
    """
    now = timezone.now()
    token = uuid.uuid4()
    lease, _ = WorkLease.objects.update_or_create(
        key=lease_key(task, args),
        defaults={
            "task": task,
            "args": args,
            "holder": holder[:255],
            "token": token,
            "expires_at": now + timedelta(seconds=settings.OPS_LEASE_SECONDS),
            "acquired_at": now,
            "renewed_at": now,
        },
    )
    renewer = _Renewer(lease.pk, token)
    renewer.start()
    try:
        yield lease
    finally:
        renewer.stop()
        try:
            WorkLease.objects.filter(pk=lease.pk, token=token).delete()
        except DatabaseError as error:
            logger.warning(
                "lease %s not released (%s): it will expire and be swept",
                lease.key,
                type(error).__name__,
            )


class _Renewer(threading.Thread):
    """Pushes the lease's expiry forward while the work runs (its own database connection)."""

    def __init__(self, lease_id: int, token: uuid.UUID):
        super().__init__(name=f"lease-renewer-{lease_id}", daemon=True)
        self.lease_id, self.token = lease_id, token
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=10)

    def run(self) -> None:
        interval = settings.OPS_LEASE_SECONDS / 3
        try:
            while not self._stopped.wait(interval):
                if not self._renew():
                    return  # taken over by another execution: nothing more to renew
        finally:
            with contextlib.suppress(DatabaseError):
                connection.close()

    def _renew(self) -> bool:
        now = timezone.now()
        try:
            return bool(
                WorkLease.objects.filter(pk=self.lease_id, token=self.token).update(
                    expires_at=now + timedelta(seconds=settings.OPS_LEASE_SECONDS),
                    renewed_at=now,
                )
            )
        except DatabaseError as error:
            logger.warning("lease %s not renewed: %s", self.lease_id, type(error).__name__)
            with contextlib.suppress(DatabaseError):
                connection.close()  # a fresh connection next time
            return True


@dataclass
class SweepReport:
    expired_leases: list[str] = field(default_factory=list)
    dead_workers: list[str] = field(default_factory=list)
    reservations: int = 0

    def as_dict(self) -> dict:
        return {
            "expired_leases": self.expired_leases,
            "dead_workers": self.dead_workers,
            "reservations": self.reservations,
        }


def work_sweep() -> SweepReport:
    """Re-enqueue the work of expired leases and the reservations of dead workers."""
    report = SweepReport()
    _sweep_leases(report)
    _sweep_reservations(report)
    if report.expired_leases or report.reservations:
        logger.warning("sweep re-enqueued work", extra={"sweep": report.as_dict()})
    return report


def _sweep_leases(report: SweepReport) -> None:
    now = timezone.now()
    grace = timedelta(seconds=settings.OPS_REQUEUE_GRACE_SECONDS)
    with transaction.atomic():
        # skip_locked: two sweeps at once (a duplicate beat) never take the same lease.
        expired = list(
            WorkLease.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lt=now)
            .order_by("expires_at")[:500]
        )
        for lease in expired:
            # Expires again after the grace if the re-sent task never starts either.
            lease.expires_at = now + grace
            lease.requeues += 1
            lease.holder = ""
        WorkLease.objects.bulk_update(expired, ["expires_at", "requeues", "holder"])
    for lease in expired:
        current_app.send_task(lease.task, args=lease.args, ignore_result=True)
        WORK_REQUEUED.labels(task=lease.task, reason="lease_expired").inc()
        report.expired_leases.append(lease.key)


def _sweep_reservations(report: SweepReport) -> None:
    client = ops_redis()
    if client is None:
        return
    alive = live_workers(client)
    for hostname in reservation_hosts(client):
        if hostname in alive:
            continue
        messages = reservations_take(client, hostname=hostname)
        report.dead_workers.append(hostname)
        for message in messages:
            current_app.send_task(
                message["task"],
                args=message.get("args", []),
                kwargs=message.get("kwargs", {}),
                ignore_result=True,
            )
            WORK_REQUEUED.labels(task=message["task"], reason="worker_dead").inc()
            report.reservations += 1
