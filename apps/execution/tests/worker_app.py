"""The Celery app of the bot worker tests: the analytics test app (short visibility timeout via
TEST_VISIBILITY_TIMEOUT), plus TEST_STEP_DELAY (seconds): each bot step sleeps that long inside
its transaction, holding the bot's lock, so that a test can kill the worker mid-step."""

from __future__ import annotations

import os
import time

from celery.signals import worker_process_init, worker_ready

from apps.analytics.tests.worker_app import app


@worker_ready.connect
@worker_process_init.connect
def _slow_step(**_: object) -> None:
    delay = float(os.environ.get("TEST_STEP_DELAY", "0"))
    if not delay:
        return
    from apps.execution.services import step

    real = step._step_bot

    def slowed(*args, **kwargs):
        time.sleep(delay)
        return real(*args, **kwargs)

    step._step_bot = slowed


__all__ = ["app"]
