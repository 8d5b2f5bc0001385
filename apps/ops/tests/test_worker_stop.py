"""Stopping a worker the way supervisors do, by signalling its whole process group (honcho, `kill
-TERM -<pgid>`): the task a pool process is running finishes; it is not killed mid-way (which
Celery reports as WorkerLostError, and redelivers)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from config.celery import app
from tests.workers import celery_worker_argv, celery_workers_wait


def wait_for(path, process, log, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, f"the worker ended early:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"{path.name} never appeared:\n{log.read_text()}"
        time.sleep(0.05)


@pytest.mark.slow
def test_sigterm_to_the_process_group_lets_the_running_task_finish(python, tmp_path):
    argv, hostname = celery_worker_argv(
        python, name="stop", app="apps.ops.tests.stop_worker_app", pool="prefork", loglevel="info"
    )
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            argv, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        celery_workers_wait(app, [hostname], output=log.read_text)
        app.send_task("ops_tests.held_task", args=[str(tmp_path)])
        wait_for(tmp_path / "started", worker, log)
        os.killpg(worker.pid, signal.SIGTERM)  # what honcho and `systemctl stop` do
        # The worker shuts down warm: it stops taking tasks and waits for the running one.
        deadline = time.monotonic() + 30
        while "Warm shutdown" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        (tmp_path / "release").touch()
        assert worker.wait(timeout=60) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    text = log.read_text()
    assert (tmp_path / "done").exists(), text
    assert "WorkerLostError" not in text and "Traceback" not in text, text
