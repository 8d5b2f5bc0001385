"""The Celery app of tests/test_worker_stop.py's worker (`celery -A
apps.ops.tests.stop_worker_app worker`): the project's app plus one test-only task that holds
its pool process until the test releases it."""

from __future__ import annotations

import time
from pathlib import Path

from config.celery import app


@app.task(name="ops_tests.held_task")
def held_task(folder: str) -> str:
    """Mark `started`, wait (up to a minute) for the test to create `release`, mark `done`."""
    here = Path(folder)
    (here / "started").touch()
    deadline = time.monotonic() + 60
    while not (here / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    (here / "done").touch()
    return "done"


__all__ = ["app"]
