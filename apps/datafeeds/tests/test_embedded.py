"""The zero-setup default: SQLite, no Redis. It must migrate, load candles and serve them."""

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, timeout_s: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_sqlite_default_migrates_imports_and_serves(python, tmp_path, shared_data):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DB_ENGINE": "sqlite",
        "DJANGO_DB_NAME": str(tmp_path / "embedded.sqlite3"),
        "CELERY_QUEUE_DIR": str(tmp_path / "celery"),
    }

    def run(*args):
        result = subprocess.run(
            [python, *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("manage.py", "migrate", "--noinput")
    path = str(shared_data / "binance_XRP-ETH_5m.csv.gz")
    first = run(
        "manage.py", "import_ohlcv", "XRPETH", "5m", path, "--base", "XRP", "--quote", "ETH"
    )
    assert "inserted 706" in first
    again = run("manage.py", "import_ohlcv", "XRPETH", "5m", path)
    assert "unchanged 706" in again
    assert "6 gaps, 6 candles missing" in run("manage.py", "candle_gaps", "XRPETH", "5m")

    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "uvicorn", "config.asgi:application", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = get_json(
            f"http://127.0.0.1:{port}/api/datafeeds/candles/?symbol=XRPETH&timeframe=5m&limit=3"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    times = [c["time"] for c in body["candles"]]
    assert len(times) == 3 and times[-1] == 1570965300  # the file's last candle, 2019-10-13 11:15
