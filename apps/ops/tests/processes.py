"""Processes of the platform started by a test, each logging to its own file."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(base: dict[str, str], *, port: int, **extra: str) -> dict[str, str]:
    """The production settings as a deployment would give them: a strong random secret key,
    explicit hosts and origins, PostgreSQL and Redis (from `base`: the test's own)."""
    origin = f"http://127.0.0.1:{port}"
    env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "False",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CORS_ALLOWED_ORIGINS": origin,
        "CSRF_TRUSTED_ORIGINS": origin,
        "DJANGO_DB_ENGINE": "postgresql",
        "CHANNEL_LAYER_BACKEND": "redis",
        "FIELD_ENCRYPTION_KEYS": _fernet_key(),
        "OPS_METRICS_TOKEN": secrets.token_urlsafe(24),
        "LOG_FORMAT": "json",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    env.update(extra)
    return env


def _fernet_key() -> str:
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


class Processes:
    def __init__(self, logs: Path, cwd: Path):
        self.logs, self.cwd = logs, cwd
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def output(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-3000:]}"
            for path in sorted(self.logs.glob("*.log"))
        )

    def stop(self, name: str, timeout: float = 30) -> int:
        process = self.running.pop(name)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise

    def stop_all(self) -> None:
        for name in list(self.running):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.stop(name)


def wait_http(url: str, *, status: int, timeout: float, processes: Processes, **kwargs):
    """GET until it answers `status`; returns the response."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = requests.get(url, timeout=15, **kwargs)
            if last.status_code == status:
                return last
        except requests.RequestException:  # not listening yet, or still loading
            pass
        time.sleep(0.3)
    body = last.text[:2000] if last is not None else "no answer"
    raise AssertionError(f"{url} never answered {status}: {body}\n{processes.output()}")


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
