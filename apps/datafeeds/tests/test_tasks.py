"""The Celery tasks, run by a real worker process over the Redis broker."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from apps.datafeeds.models import Candle
from apps.datafeeds.tasks import fetch_ohlcv_task, refresh_tracked_symbols
from config.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def module_emulator(shared_data):
    from emulator import ExchangeEmulator

    with ExchangeEmulator() as emu:
        emu.load_csv("BTC/USDT", "5m", shared_data / "binance_BTC-USDT_5m.csv.gz")
        yield emu


@pytest.fixture(scope="module")
def worker(python, module_emulator, django_db_setup, django_db_blocker, tmp_path_factory):
    """One worker for the module (its start-up and shutdown cost seconds), pointed at the test
    database and the emulator; the tests' rows are committed (transactional tests)."""
    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
    root = str(Path(__file__).resolve().parents[3])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DJANGO_DB_NAME": database,
        "PYTHONPATH": root,
        "EXCHANGE_API_HOSTS": json.dumps({"binance": module_emulator.url}),
    }
    app.control.purge()
    log = (tmp_path_factory.mktemp("worker") / "worker.log").open("w")
    process = subprocess.Popen(
        [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{time.time_ns()}@%h",
        ],
        env=env,
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_fetch_task_runs_the_download_in_a_worker(worker, btc_symbol, btc_5m):
    result = fetch_ohlcv_task.delay(
        btc_symbol.pk,
        "1h",
        since_ms=int(btc_5m[0, 0]),
        until_ms=int(btc_5m[0, 0]) + 30 * 86_400_000,
    )
    summary = result.get(timeout=90)
    assert summary["inserted"] == 30 * 24
    assert Candle.objects.filter(symbol=btc_symbol, timeframe="1h").count() == 30 * 24


def test_a_permanent_error_fails_the_task_with_its_message(worker, db):
    from apps.datafeeds.models import Symbol

    gone = Symbol.objects.create(name="ETHBTC", base="ETH", quote="BTC", market_symbol="ETH/BTC")
    result = fetch_ohlcv_task.delay(gone.pk, "1h")
    with pytest.raises(Exception, match="Unknown symbol 'ETH/BTC'"):
        result.get(timeout=90)
    assert result.state == "FAILURE"


def test_beat_refresh_enqueues_every_tracked_series(btc_symbol, monkeypatch):
    sent = []
    monkeypatch.setattr(fetch_ohlcv_task, "delay", lambda *args: sent.append(args))
    btc_symbol.tracked_timeframes = ["5m", "1h"]
    btc_symbol.save()
    assert refresh_tracked_symbols() == 2
    assert sent == [(btc_symbol.pk, "5m"), (btc_symbol.pk, "1h")]


def test_beat_schedule_runs_the_refresh():
    schedule = app.conf.beat_schedule["refresh-tracked-symbols"]
    assert schedule["task"] == "datafeeds.refresh_tracked_symbols"
    assert schedule["task"] in app.tasks
