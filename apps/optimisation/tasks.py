"""Celery task of the optimisation app: a thin wrapper around services.study_work."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import task_names as names
from .services import study_work


@shared_task(
    name=names.STUDY_WORK,
    bind=True,
    # Acknowledged only once the loop ends, and delivered again if the worker dies meanwhile:
    # study_work is safe to run any number of times at once (Optuna hands out the trials).
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=5,
)
def study_work_task(self, study_id: int) -> str:
    return study_work(study_id=study_id, worker=self.request.hostname or "")
