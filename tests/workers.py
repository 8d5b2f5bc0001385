"""Celery workers as the tests and the bench start them, and the wait for them to be idle.

A top-level test module (not an app's): the apps' tests on every layer use it, and so does the
bench, without one app's tests importing another's.
"""

from __future__ import annotations

import os
import subprocess
import time


def celery_worker_argv(
    python: str, *, name: str, app: str = "config", pool: str = "solo", loglevel: str = "warning"
) -> tuple[list[str], str]:
    """The command line of a Celery worker as the tests and the bench start one, and its unique
    hostname: one task at a time (one message prefetched), no gossip or mingle (seconds of
    start-up each), every queue (no -Q). `app`: "config", or a test app module that changes
    one setting (apps/analytics/tests/worker_app.py)."""
    hostname = f"{name}-{time.time_ns()}@localhost"
    argv = [python, "-m", "celery", "-A", app, "worker", "--pool", pool]
    argv += ["--concurrency", "1", "--prefetch-multiplier", "1", "--loglevel", loglevel]
    argv += ["--without-gossip", "--without-mingle", "--hostname", hostname]
    return argv, hostname


def celery_workers_started(
    app, python: str, names: list[str], *, cwd, timeout: float = 60.0
) -> list[subprocess.Popen]:
    """One worker per name (celery_worker_argv), quiet, in this environment; returned once
    every one answers a ping (the bench's workers: a test keeps its workers' output)."""
    workers, hostnames = [], []
    for name in names:
        argv, hostname = celery_worker_argv(python, name=name)
        hostnames.append(hostname)
        workers.append(
            subprocess.Popen(
                argv,
                cwd=cwd,
                env=dict(os.environ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        celery_workers_wait(app, hostnames, timeout=timeout)
    except BaseException:
        for worker in workers:
            worker.kill()
            worker.wait()
        raise
    return workers


def celery_workers_wait(app, hostnames: list[str], *, timeout: float = 60.0, output=lambda: ""):
    """Until every one of these workers answers a ping."""
    deadline = time.monotonic() + timeout
    waiting = set(hostnames)
    while waiting:
        assert time.monotonic() < deadline, f"workers did not start: {waiting}\n{output()}"
        for reply in app.control.ping(destination=list(waiting), timeout=0.5) or []:
            waiting -= set(reply)


def broker_idle(app, workers: list[str]) -> bool:
    """Nothing left for these Celery workers (hostnames): every queue of the broker (Redis)
    empty, its priority lists too, and no worker of them running or holding a task. Messages
    another test's killed worker left unacknowledged are not theirs, so the broker's unacked
    set is not looked at: a message delivered to these workers shows as reserved or active."""
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        for queue in app.conf.task_queues or ():
            name = getattr(queue, "name", queue)
            for key in client.scan_iter(match=f"{name}*"):
                if client.type(key) in (b"list", "list") and client.llen(key):
                    return False
    inspect = app.control.inspect(destination=workers, timeout=1.0)
    for reply in (inspect.active() or {}, inspect.reserved() or {}):
        if any(tasks for tasks in reply.values()):
            return False
    return True


def wait_until_idle(app, workers: list[str], *, timeout: float = 60.0, output=lambda: "") -> None:
    """Until the broker and these workers are idle twice in a row (a task ending may enqueue
    another): what "no further effect" is measured against, never a fixed sleep."""
    deadline = time.monotonic() + timeout
    idle = 0
    while idle < 2:
        idle = idle + 1 if broker_idle(app, workers) else 0
        assert time.monotonic() < deadline, f"the workers never went idle\n{output()}"
