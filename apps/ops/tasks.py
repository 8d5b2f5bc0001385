"""Celery tasks of the operations app."""

from __future__ import annotations

from celery import shared_task

from .leases import work_sweep


@shared_task(name="ops.work_sweep", ignore_result=True)
def work_sweep_task() -> dict:
    """Re-enqueue lost work (beat runs this every OPS_SWEEP_SECONDS)."""
    return work_sweep().as_dict()
