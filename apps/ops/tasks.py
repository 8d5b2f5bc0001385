"""Celery tasks of the operations app."""

from __future__ import annotations

from celery import shared_task

from .enqueue import outbox_sweep
from .leases import work_sweep


@shared_task(name="ops.work_sweep", ignore_result=True)
def work_sweep_task() -> dict:
    """Re-enqueue lost work (beat runs this every OPS_SWEEP_SECONDS)."""
    return work_sweep().as_dict()


@shared_task(name="ops.outbox_sweep", ignore_result=True)
def outbox_sweep_task() -> int:
    """Send the tasks whose send failed at commit (beat runs this every
    OPS_OUTBOX_SWEEP_SECONDS)."""
    return outbox_sweep()
