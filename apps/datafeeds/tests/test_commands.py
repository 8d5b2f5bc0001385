"""Every market-data command of the README against the exchange emulator and the test database.

Most run in-process (`call_command`: same parser, same handler, same output, no interpreter
start-up); a few run as a user runs them, in a subprocess, as smoke tests of the entry points
themselves (manage.py, the plain script, runserver, celery).
"""

import io
import subprocess

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from apps.datafeeds.models import Candle, Symbol
from apps.datafeeds.selectors import candles_window

in_a_subprocess = pytest.mark.django_db(transaction=True)  # the child process must see the rows


def run(python, env, *args, timeout=120):
    return subprocess.run(
        [python, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=env["PYTHONPATH"],
    )


def command(*args) -> str:
    """Run a management command in-process; its stdout."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@in_a_subprocess
def test_fetch_ohlcv_command_downloads_and_creates_the_symbol(python, emulator_env, btc_5m):
    result = run(
        python,
        emulator_env,
        "manage.py",
        "fetch_ohlcv",
        "BTCUSDT",
        "1h",
        "--limit",
        "1000",
        "--base",
        "BTC",
        "--quote",
        "USDT",
        "--since",
        "2024-01-01",
        "--until",
        "2024-03-01",
    )
    assert result.returncode == 0, result.stderr
    assert "inserted 1440" in result.stdout  # 60 days of hours (2024 is a leap year)
    assert "gaps 0" in result.stdout
    symbol = Symbol.objects.get(name="BTCUSDT")
    hours = candles_window(symbol=symbol, timeframe="1h")
    assert len(hours) == 1440
    assert hours.open[0] == btc_5m[0, 1] and hours.close[0] == btc_5m[11, 4]


def test_fetch_ohlcv_resumes_without_since(emulated_binance, btc_5m, db):
    command(
        "fetch_ohlcv", "BTCUSDT", "5m", "--base", "BTC", "--quote", "USDT", "--since", "2024-09-05"
    )
    Candle.objects.filter(open_time__gt=int(btc_5m[-100, 0])).delete()
    again = command("fetch_ohlcv", "BTCUSDT", "5m")
    assert "inserted 99, updated 0, unchanged 1" in again
    assert Candle.objects.filter(timeframe="5m").count() == 345  # 2024-09-05 00:00 .. 09-06 04:40


@in_a_subprocess
def test_fetch_multi_timeframes_script(python, emulator_env):
    result = run(
        python,
        emulator_env,
        "apps/datafeeds/scripts/fetch_multi_timeframes.py",
        "BTCUSDT",
        "--base",
        "BTC",
        "--quote",
        "USDT",
        "--timeframes",
        "5m",
        "1h",
        "4h",
        "--start",
        "2024-02-01",
        "--end",
        "2024-02-08",
        "--limit",
        "1000",
        "--exchange",
        "binance",
    )
    assert result.returncode == 0, result.stderr
    counts = {tf: Candle.objects.filter(timeframe=tf).count() for tf in ("5m", "1h", "4h")}
    assert counts == {"5m": 7 * 288, "1h": 7 * 24, "4h": 7 * 6}
    assert result.stdout.count("inserted") == 3


def test_unknown_symbol_is_a_command_error_with_a_message(emulated_binance, db):
    with pytest.raises(CommandError, match="Unknown symbol 'DOGE/EUR' on binance"):
        command("fetch_ohlcv", "DOGEEUR", "1h", "--base", "DOGE", "--quote", "EUR")
    assert not Symbol.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["BTCUSDT", "d"], "invalid timeframe 'd'"),
        (["BTCUSDT", "1h", "--since", "soon"], "is not a date"),
        (["BTCUSDT", "1h", "--limit", "0"], "must be at least 1"),
        (["BTCUSDT", "1h", "--base", "BTC"], "--base and --quote go together"),
        (["NOPE", "1h"], "Unknown symbol 'NOPE'"),
    ],
)
def test_bad_command_input_is_a_clear_error(emulated_binance, db, args, message):
    with pytest.raises(CommandError, match=message):
        command("fetch_ohlcv", *args)
    assert not Symbol.objects.exists()


@in_a_subprocess
def test_bad_input_exits_non_zero_with_the_message_and_no_traceback(python, emulator_env):
    """The same errors as a user sees them: argparse's usage message and a non-zero exit."""
    result = run(python, emulator_env, "manage.py", "fetch_ohlcv", "BTCUSDT", "d")
    assert result.returncode == 2
    assert "invalid timeframe 'd'" in result.stderr
    assert "Traceback" not in result.stderr
    result = run(python, emulator_env, "manage.py", "fetch_ohlcv", "NOPE", "1h")
    assert result.returncode == 1
    assert "Unknown symbol 'NOPE'. Pass --base and --quote to create it." in result.stderr
    assert "Traceback" not in result.stderr


def test_import_ohlcv_loads_a_real_file_and_reimport_changes_nothing(shared_data, db):
    path = str(shared_data / "binance_SOL-USDT_1h.csv.gz")
    args = ["import_ohlcv", "SOLUSDT", "1h", path, "--base", "SOL", "--quote", "USDT"]
    assert "inserted 6002" in command(*args)
    assert "inserted 0, updated 0, unchanged 6002" in command(*args)
    assert Candle.objects.filter(timeframe="1h").count() == 6002


def test_candle_gaps_lists_missing_intervals(shared_data, db):
    path = str(shared_data / "binance_BTC-USDT_5m_2020-12_2021-07.csv.gz")
    command("import_ohlcv", "BTCUSDT", "5m", path, "--base", "BTC", "--quote", "USDT")
    listed = command("candle_gaps", "BTCUSDT", "5m")
    assert "6 gaps, 177 candles missing" in listed
    assert "2020-12-21 14:10 UTC .. 2020-12-21 17:55 UTC  (46 missing)" in listed


def test_import_of_a_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No such file: /nope.csv"):
        command("import_ohlcv", "BTCUSDT", "5m", "/nope.csv", "--base", "BTC", "--quote", "USDT")


def test_import_of_an_unknown_symbol_without_base_says_how_to_create_it(shared_data, db):
    path = str(shared_data / "binance_SOL-USDT_1h.csv.gz")
    with pytest.raises(CommandError, match="Pass --base and --quote to create it"):
        command("import_ohlcv", "SOLUSDT", "1h", path)
    assert not Candle.objects.exists()


def test_track_has_beat_keep_the_timeframe_up_to_date(emulated_binance, db):
    args = ["fetch_ohlcv", "BTCUSDT", "4h", "--base", "BTC", "--quote", "USDT", "--track"]
    command(*args, "--since", "2024-09-01")
    command(*args)
    assert Symbol.objects.get(name="BTCUSDT").tracked_timeframes == ["4h"]


def test_demo_data_falls_back_to_the_simulator_and_says_so(settings, db):
    settings.EXCHANGE_API_HOSTS = {"binance": "http://127.0.0.1:9"}
    result = command("load_demo_data")
    assert "unreachable" in result and "SIMULATED" in result
    symbol = Symbol.objects.get(name="BTCUSDT")
    assert symbol.exchange == "simulated"
    counts = {
        tf: Candle.objects.filter(symbol=symbol, timeframe=tf).count()
        for tf in ("1m", "5m", "1h", "4h")
    }
    assert counts["1m"] >= 7 * 1440 - 1 and counts["5m"] >= 60 * 288 - 1
    assert counts["1h"] >= 60 * 24 - 1 and counts["4h"] >= 60 * 6 - 1
    # The refresh keeps every series growing: the demo market moves in real time.
    assert symbol.tracked_timeframes == ["1m", "5m", "1h", "4h"]
    # A second run brings it up to date instead of leaving it behind.
    assert "Simulated BTCUSDT 1m brought up to date" in command("load_demo_data")
    # A series stored by an older generator is revised in place over its demo span.
    last = Candle.objects.filter(symbol=symbol, timeframe="5m").order_by("-open_time").first()
    Candle.objects.filter(pk=last.pk).update(close=last.close * 2)
    again = command("load_demo_data")
    assert "5m brought up to date" in again and "revised" in again
    assert Candle.objects.get(pk=last.pk).close == last.close


def test_demo_data_downloads_from_the_exchange_when_reachable(settings, db):
    import time

    from emulator import ExchangeEmulator, generate_candles

    now = int(time.time() * 1000)
    with ExchangeEmulator() as recent:  # its own market: the last 70 days, up to now
        recent.add_market(
            symbol="BTC/USDT",
            timeframe="5m",
            candles=generate_candles(
                timeframe="5m", count=70 * 288, start_ms=now - 70 * 86_400_000
            ),
        )
        settings.EXCHANGE_API_HOSTS = {"binance": recent.url}
        assert "Downloaded BTCUSDT 5m from Binance" in command("load_demo_data")
    assert Symbol.objects.get(name="BTCUSDT").exchange == "binance"
    assert Candle.objects.filter(timeframe="5m").count() >= 60 * 288 - 2
    assert np.all(
        np.diff(candles_window(symbol=Symbol.objects.get(), timeframe="1h").open_time) == 3600_000
    )


@in_a_subprocess
def test_runserver_serves_the_api(python, subprocess_env):
    import socket
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=subprocess_env,
        cwd=subprocess_env["PYTHONPATH"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/datafeeds/symbols/") as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "runserver did not answer"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=10)


@in_a_subprocess
def test_beat_and_worker_keep_a_tracked_symbol_up_to_date(python, emulator_env, btc_5m):
    # celery beat (every 1.2 s here) enqueues the refresh; a worker downloads through ccxt.
    import time

    from config.celery import app
    from tests.workers import celery_worker_argv

    app.control.purge()
    symbol = Symbol.objects.create(
        name="BTCUSDT",
        base="BTC",
        quote="USDT",
        market_symbol="BTC/USDT",
        tracked_timeframes=["4h"],
    )
    from apps.datafeeds.resample import resample_rows
    from apps.datafeeds.storage import candles_upsert

    four_hours, _ = resample_rows(btc_5m, source="5m", target="4h")
    candles_upsert(symbol=symbol, timeframe="4h", rows=four_hours[:10])  # resume from here
    env = {**emulator_env, "DATAFEEDS_REFRESH_MINUTES": "0.02"}
    beat_schedule = f"/tmp/beat-{time.time_ns()}"
    worker, _ = celery_worker_argv(python, name="refresh", loglevel="info")
    processes = [
        subprocess.Popen(
            argv,
            env=env,
            cwd=env["PYTHONPATH"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for argv in (
            [python, "-m", "celery", "-A", "config", "beat", "-l", "info"]
            + ["--schedule", beat_schedule],
            worker,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while Candle.objects.filter(symbol=symbol, timeframe="4h").count() < 1000:
            assert time.monotonic() < deadline, "the tracked symbol was not refreshed"
            time.sleep(0.5)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    stored = candles_window(symbol=symbol, timeframe="4h")
    assert np.array_equal(stored.close, four_hours[: len(stored), 4])
