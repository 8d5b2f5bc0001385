"""Send a Celery task by its name, durably, once the current transaction commits (a worker must
find the rows it is given; docs/operations.md, "Redis outages").

Each task is first written as an OutboxTask row in the caller's transaction, then sent after
the commit and its row deleted. If the broker cannot take it (Redis away), the row stays and
`outbox_sweep` (run by the work sweep) sends it once the broker answers: a committed bot step,
backtest or order sync is never lost to an outage, only delayed. Tasks sent this way must be
idempotent (each of ours is): a send may happen twice.

Services enqueue through here instead of importing their app's task module, which imports the
services: no import cycle (tests/test_architecture.py). The queue comes from
CELERY_TASK_ROUTES, which routes by task name, so a task lands where `.delay` would send it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from config.degraded import dependency_failed

from .models import OutboxTask

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0  # after a failed send, sends wait this long for the sweep instead
_broker_down_until = 0.0


def task_send_on_commit(name: str, *args: Any) -> None:
    """The task `name` with `args`, sent once the transaction commits (at once outside one)."""
    tasks_send_on_commit(name, [args])


def tasks_send_on_commit(name: str, arg_lists: Iterable[tuple]) -> None:
    """One task `name` per argument tuple (spread over the workers of its queue), sent once the
    transaction commits."""
    rows = OutboxTask.objects.bulk_create(
        [OutboxTask(task=name, args=list(args)) for args in arg_lists]
    )
    if rows:
        transaction.on_commit(lambda: outbox_send(rows), robust=True)


def outbox_send(rows: list[OutboxTask]) -> int:
    """Send these outbox rows now, deleting each one sent; a broker failure leaves the rest for
    the sweep. The number sent."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return 0
    sent: list[int] = []
    try:
        for row in rows:
            # ignore_result: nothing reads these results, and a send that waits for the result
            # backend stalls ~20 s when Redis is away before failing for good.
            current_app.send_task(row.task, args=row.args, ignore_result=True)
            sent.append(row.pk)
    except (BrokerError, OSError) as error:
        _broker_down_until = time.monotonic() + RETRY_SECONDS
        dependency_failed("broker", "send", error)
    finally:
        if sent:
            OutboxTask.objects.filter(pk__in=sent).delete()
    return len(sent)


def outbox_sweep(*, limit: int = 1000) -> int:
    """Send the outbox rows older than OPS_OUTBOX_GRACE_SECONDS (their commit's own send failed,
    or its process died before sending). The number sent."""
    global _broker_down_until
    cutoff = timezone.now() - timedelta(seconds=settings.OPS_OUTBOX_GRACE_SECONDS)
    with transaction.atomic():
        # skip_locked: two sweeps at once never send the same row.
        rows = list(
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(created_at__lt=cutoff)
            .order_by("id")[:limit]
        )
        _broker_down_until = 0.0  # the sweep always tries: it is how an outage ends
        return outbox_send(rows)
