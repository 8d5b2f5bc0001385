"""The Celery tasks, run by a real worker process over the Redis broker."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from apps.datafeeds.models import Candle
from apps.datafeeds.tasks import fetch_ohlcv_task, refresh_tracked_symbols
from config.celery import app
from tests.workers import celery_worker_argv

pytestmark = pytest.mark.django_db(transaction=True)


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
    argv, _ = celery_worker_argv(python, name="datafeeds")
    process = subprocess.Popen(
        argv,
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


def test_beat_refresh_enqueues_every_tracked_series_once_per_boundary(btc_symbol, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    cache.set("exchange-clock-offset:binance", -3_000)  # the exchange 3 s behind us
    sent = []
    monkeypatch.setattr(
        fetch_ohlcv_task,
        "apply_async",
        lambda args, kwargs, **options: sent.append((args, kwargs, options)),
    )
    btc_symbol.tracked_timeframes = ["5m", "1h"]
    btc_symbol.save()
    assert refresh_tracked_symbols() == 2
    assert [args for args, _, _ in sent] == [(btc_symbol.pk, "5m"), (btc_symbol.pk, "1h")]
    assert all(kwargs == {"clock_offset_ms": -3_000} for _, kwargs, _ in sent)
    options = sent[0][2]
    assert 0 <= options["countdown"] <= 30 + 2 + 3  # up to the nearest boundary + delay + skew
    # A backlog never replays old ticks (seconds as floats: approx).
    assert options["expires"] == pytest.approx(options["countdown"] + 60)
    # A second beat ticking for the same boundary enqueues nothing.
    assert refresh_tracked_symbols() == 0
    assert len(sent) == 2


def test_a_tick_downloads_the_series_whose_candle_closed_or_that_lag():
    from apps.datafeeds.clock import series_due

    hour = 1_714_521_600_000  # 2024-05-01 00:00 UTC
    minute, five, four_h = 60_000, 300_000, 14_400_000
    # 00:05: a 5m candle closed; the 1h one did not, and the last closed 1h (23:00) is stored.
    at = hour + 5 * minute
    assert series_due(boundary_ms=at, timeframe="5m", last_open_ms=hour)
    assert series_due(boundary_ms=at, timeframe="1m", last_open_ms=at - minute)
    assert not series_due(boundary_ms=at, timeframe="1h", last_open_ms=hour - 3_600_000)
    # The 1h series lags (its 23:00 candle missing): due now, not in an hour.
    assert series_due(boundary_ms=at, timeframe="1h", last_open_ms=hour - 7_200_000)
    # 00:03: nothing of 5m closes, its last closed candle (23:55) stored; nothing stored: due.
    at = hour + 3 * minute
    assert not series_due(boundary_ms=at, timeframe="5m", last_open_ms=hour - five)
    assert series_due(boundary_ms=at, timeframe="5m", last_open_ms=None)
    # Weeks and months close on their own boundaries, not multiples of a fixed length.
    monday = 1_714_348_800_000  # 2024-04-29 00:00 UTC, a Monday
    assert series_due(boundary_ms=monday, timeframe="1w", last_open_ms=monday - 7 * 86_400_000)
    assert not series_due(boundary_ms=hour, timeframe="1w", last_open_ms=monday - 7 * 86_400_000)
    assert series_due(boundary_ms=hour, timeframe="1M", last_open_ms=None)
    assert series_due(boundary_ms=hour, timeframe="4h", last_open_ms=hour - four_h)


def test_refresh_plan_follows_the_exchange_clock():
    from apps.datafeeds.clock import refresh_plan

    step, delay = 300_000, 2_000
    boundary = 1_714_521_600_000  # 2024-05-01 00:00 UTC
    # Local clock 1 s past the boundary, exchange 3 s behind: wait 4 s more than its boundary.
    assert refresh_plan(
        local_now_ms=boundary + 1_000, offset_ms=-3_000, step_ms=step, delay_ms=delay
    ) == (boundary, 4_000)
    # Exchange 5 s ahead: its boundary + delay already passed, go now.
    assert refresh_plan(
        local_now_ms=boundary + 1_000, offset_ms=5_000, step_ms=step, delay_ms=delay
    ) == (boundary, 0)


def test_the_schedule_is_due_on_candle_boundaries_not_from_beat_start():
    from datetime import UTC, datetime

    from apps.datafeeds.schedules import CandleBoundarySchedule

    now = datetime(2024, 5, 1, 12, 3, 30, tzinfo=UTC)
    beat_started = datetime(2024, 5, 1, 12, 1, 17, tzinfo=UTC)
    entry = CandleBoundarySchedule(300.0, delay=2.0, nowfun=lambda: now)
    due, wait = entry.is_due(beat_started)
    assert not due and wait == 92.0  # 12:05:02, not 12:06:17
    later = CandleBoundarySchedule(300.0, delay=2.0, nowfun=lambda: now.replace(minute=5, second=2))
    due, wait = later.is_due(beat_started)
    assert due and wait == 300.0  # the next one at 12:10:02


def test_beat_schedule_runs_the_refresh():
    schedule = app.conf.beat_schedule["refresh-tracked-symbols"]
    assert schedule["task"] == "datafeeds.refresh_tracked_symbols"
    assert schedule["task"] in app.tasks
