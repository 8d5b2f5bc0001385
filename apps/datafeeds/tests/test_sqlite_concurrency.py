"""The embedded default (SQLite) survives concurrent writers: IMMEDIATE transactions and WAL."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_imports_of_one_file_both_succeed_and_store_it_once(
    python, tmp_path, shared_data, attempt
):
    database = tmp_path / "embedded.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DB_ENGINE": "sqlite",
        "DJANGO_DB_NAME": str(database),
        "CELERY_QUEUE_DIR": str(tmp_path / "celery"),
    }
    migrate = subprocess.run(
        [python, "manage.py", "migrate", "--noinput"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert migrate.returncode == 0, migrate.stderr
    path = str(shared_data / "binance_SOL-USDT_1h.csv.gz")
    command = [python, "manage.py", "import_ohlcv", "SOLUSDT", "1h", path]
    importers = [
        subprocess.Popen(
            [*command, "--base", "SOL", "--quote", "USDT"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [importer.communicate(timeout=300) for importer in importers]
    for importer, (_, stderr) in zip(importers, outputs, strict=True):
        assert importer.returncode == 0, stderr
        assert "database is locked" not in stderr

    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        symbols = db.execute("SELECT COUNT(*) FROM datafeeds_symbol").fetchone()[0]
        rows, distinct = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT open_time) FROM datafeeds_candle"
        ).fetchone()
        series = db.execute("SELECT count FROM datafeeds_candleseries").fetchall()
    assert symbols == 1
    assert rows == distinct > 1000  # stored once
    assert series == [(rows,)]


SQLITE_PROBE = """
import django, json
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from apps.datafeeds.models import Symbol
Symbol.objects.create(name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT")
user = get_user_model().objects.create_user("ana")
client = Client(raise_request_exception=False)
client.force_login(user)
statuses = {}
for url in [
    "/api/datafeeds/candles/?symbol=BTCUSDT&timeframe=5m&start=99999999999999999999",
    "/api/datafeeds/candles/?symbol=BTCUSDT&timeframe=5m&end=9223372036854775808",
    "/api/strategies/hma-sma/run/?symbol=BTCUSDT&timeframe=5m&start=99999999999999999999",
    "/api/analytics/backtests/?sweep=99999999999999999999999",
    "/api/analytics/backtests/?offset=99999999999999999999999",
    "/api/analytics/backtests/99999999999999999999/",
]:
    statuses[url] = client.get(url).status_code
body = {"strategy": "hma-sma", "symbol": "BTCUSDT", "start": "2024-01-01",
        "end": "99999999999999999999", "grid": {"sma_period": [50]}}
for url in ["/api/analytics/backtests/", "/api/analytics/backtests/sweeps/"]:
    statuses[url] = client.post(url, body, content_type="application/json").status_code
print(json.dumps(statuses))
"""


@pytest.mark.slow
def test_out_of_range_numbers_are_400_on_sqlite_too(python, tmp_path):
    import json

    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "False",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_DB_ENGINE": "sqlite",
        "DJANGO_DB_NAME": str(tmp_path / "embedded.sqlite3"),
        "CELERY_QUEUE_DIR": str(tmp_path / "celery"),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    for args in (["manage.py", "migrate", "--noinput"], ["-c", SQLITE_PROBE]):
        result = subprocess.run(
            [python, *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, result.stderr
    statuses = json.loads(result.stdout.strip().splitlines()[-1])
    assert statuses == {
        "/api/datafeeds/candles/?symbol=BTCUSDT&timeframe=5m&start=99999999999999999999": 400,
        "/api/datafeeds/candles/?symbol=BTCUSDT&timeframe=5m&end=9223372036854775808": 400,
        "/api/strategies/hma-sma/run/?symbol=BTCUSDT&timeframe=5m&start=99999999999999999999": 400,
        "/api/analytics/backtests/?sweep=99999999999999999999999": 400,
        "/api/analytics/backtests/?offset=99999999999999999999999": 200,
        "/api/analytics/backtests/99999999999999999999/": 404,
        "/api/analytics/backtests/": 400,
        "/api/analytics/backtests/sweeps/": 400,
    }
