"""Send a Celery task by its name, after the current transaction commits (a worker must find
the rows it is given).

Services enqueue through here instead of importing their app's task module, which imports the
services: no import cycle (tests/test_architecture.py). The queue comes from
CELERY_TASK_ROUTES, which routes by task name, so a task lands where `.delay` would send it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from celery import current_app, group
from django.db import transaction


def task_send(name: str, *args: Any) -> None:
    """The task `name` with `args`, sent now (the caller's data is already committed)."""
    current_app.send_task(name, args=args)


def task_send_on_commit(name: str, *args: Any) -> None:
    """The task `name` with `args`, sent once the transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_send(name, *args))


def tasks_group_on_commit(name: str, arg_lists: Iterable[tuple]) -> None:
    """One task `name` per argument tuple, as one Celery group (spread over every worker),
    sent once the transaction commits."""
    signatures = group(current_app.signature(name, args=args, immutable=True) for args in arg_lists)
    transaction.on_commit(signatures.apply_async)
