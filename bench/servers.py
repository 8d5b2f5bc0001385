"""The platform's web process (uvicorn, as the Procfile runs it) for the benchmarks that go through
HTTP: started on a free port with the bench's environment, stopped whatever happened."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workers: int = 1, **env: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/uvicorn"),
            "config.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "False", **env},
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()  # with DEBUG on, uvicorn on uvloop may hang on SIGTERM
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
