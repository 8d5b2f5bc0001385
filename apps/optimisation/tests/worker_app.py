"""The Celery app of this app's test workers (`celery -A apps.optimisation.tests.worker_app
worker`): the project's app with two test-only changes read from the environment.

- TEST_VISIBILITY_TIMEOUT (seconds): Redis redelivers an unacknowledged message this soon (so
  the task of a killed worker comes back within the test).
- TEST_TRIAL_DELAY (seconds): each trial sleeps this long inside the engine call, so that
  killing a worker reliably lands in the middle of a trial.
"""

from __future__ import annotations

import os
import time

from celery.signals import worker_ready

from config.celery import app

if "TEST_VISIBILITY_TIMEOUT" in os.environ:
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "visibility_timeout": float(os.environ["TEST_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


@worker_ready.connect  # --pool solo: tasks run in the worker process itself
def _slow_trials(**_: object) -> None:
    delay = float(os.environ.get("TEST_TRIAL_DELAY", "0"))
    if not delay:
        return
    from apps.optimisation import trials

    engine = trials.run_backtest

    def slowed(*args, **kwargs):
        time.sleep(delay)
        return engine(*args, **kwargs)

    trials.run_backtest = slowed


__all__ = ["app"]
