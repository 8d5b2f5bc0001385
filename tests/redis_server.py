"""A Redis server of a test's own, which the test may stop and start again (an outage) without
touching the Redis every other test shares."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from pathlib import Path

import redis

from apps.ops.tests.processes import free_port


class RedisServer:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self._folder = folder
        self._process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed (Debian: apt-get install redis-server)"
        self._process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no", "--dir", str(self._folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                assert self._process.poll() is None, "redis-server exited"
                time.sleep(0.05)

    def stop(self, *, keep_data: bool = False) -> None:
        """Gone: connections are refused from now on. Killed (its data lost, a crash), or with
        `keep_data` saved first so that `start` finds the keys again (a network outage)."""
        if self._process is None:
            return
        if keep_data:
            # The server closes the connection as it exits.
            with contextlib.suppress(redis.ConnectionError):
                redis.Redis.from_url(self.url).shutdown(save=True)
        else:
            self._process.kill()
        self._process.wait(timeout=30)
        self._process = None
