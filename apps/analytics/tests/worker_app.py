"""The Celery app of the test workers (`celery -A apps.analytics.tests.worker_app worker`): the
project's app, with two test-only changes read from the environment.

- TEST_VISIBILITY_TIMEOUT (seconds): Redis redelivers a message that stays unacknowledged this
  long (default one hour), and the idle worker looks for such messages every second. Short, so
  that the run of a killed worker comes back within the test.
- TEST_ENGINE_DELAY (seconds): each backtest sleeps this long inside the engine call, between
  the claim and the store, so that killing a worker (or a pool process) reliably lands in the
  middle of a run.
"""

from __future__ import annotations

import os
import time

from celery.signals import worker_process_init, worker_ready

from config.celery import app

if "TEST_VISIBILITY_TIMEOUT" in os.environ:
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),  # the project's Redis client timeouts
        "visibility_timeout": float(os.environ["TEST_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


@worker_ready.connect  # --pool solo: tasks run in the worker process itself
@worker_process_init.connect  # --pool prefork: in each pool process
def _slow_engine(**_: object) -> None:
    delay = float(os.environ.get("TEST_ENGINE_DELAY", "0"))
    if not delay:
        return
    from apps.analytics.services import backtest_runner

    engine = backtest_runner.run_backtest

    def slowed(*args, **kwargs):
        time.sleep(delay)
        return engine(*args, **kwargs)

    backtest_runner.run_backtest = slowed


__all__ = ["app"]
