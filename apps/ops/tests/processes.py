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

    def stop_all(self, timeout: float = 30) -> None:
        for name in list(self.running):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.stop(name, timeout=timeout)


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
