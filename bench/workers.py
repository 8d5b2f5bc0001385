"""Work timed on real Celery workers for `make bench` (the sweep and the study figures)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def wall_on_workers(
    names: list[str], create: Callable[[], T], done: Callable[[T], bool], *, timeout: float
) -> tuple[float, T]:
    """Seconds from `create()` until `done(created)`, on one started Celery worker per name
    (stopped afterwards). `create` runs in a transaction: the tasks it sends go on commit."""
    from django.db import transaction

    from config.celery import app
    from tests.workers import celery_workers_started

    app.control.purge()
    workers = celery_workers_started(app, sys.executable, names, cwd=ROOT)
    try:
        started = time.perf_counter()
        with transaction.atomic():
            created = create()
        while not done(created):
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"not finished after {timeout} s")
            time.sleep(0.1)
        wall = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    return wall, created
