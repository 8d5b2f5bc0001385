"""Celery tasks of the analytics app: a thin wrapper around services.backtest_run_execute."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from apps.ops.leases import work_lease

from . import task_names as names
from .events import backtest_run_changed
from .services import backtest_run_execute


@shared_task(
    name=names.BACKTEST_RUN,
    bind=True,
    # Acknowledged only once the run is stored or failed, and requeued if the worker process
    # dies meanwhile: safe because execution is idempotent (claim token, one store transaction).
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,  # the run row is the result
    # The service turns every error into a failed run; only when even that write is impossible
    # (the database away) does an error reach here, and then it is worth another try.
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=settings.BACKTEST_RETRY_BACKOFF_SECONDS,
)
def backtest_run_task(self, run_id: int) -> str:
    # The lease is renewed while the run executes; if it expires (worker killed, database away
    # and the retries spent) the sweeper (apps.ops.leases) sends this task again.
    with work_lease(task=self.name, args=[run_id], holder=self.request.hostname or ""):
        outcome = backtest_run_execute(run_id=run_id, worker=self.request.hostname or "")
    backtest_run_changed(run_id=run_id)  # done, failed or skipped: the browser sees the end
    return outcome
