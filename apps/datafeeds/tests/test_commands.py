"""Every market-data command of the README, run as a user runs it (a subprocess) against the
exchange emulator and the test database."""

import subprocess

import numpy as np
import pytest

from apps.datafeeds.models import Candle, Symbol
from apps.datafeeds.selectors import candles_window

pytestmark = pytest.mark.django_db(transaction=True)


def run(python, env, *args, timeout=120):
    return subprocess.run(
        [python, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=env["PYTHONPATH"],
    )


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


def test_fetch_ohlcv_resumes_without_since(python, emulator_env, btc_5m):
    first = run(
        python,
        emulator_env,
        "manage.py",
        "fetch_ohlcv",
        "BTCUSDT",
        "5m",
        "--base",
        "BTC",
        "--quote",
        "USDT",
        "--since",
        "2024-09-05",
    )
    assert first.returncode == 0, first.stderr
    Candle.objects.filter(open_time__gt=int(btc_5m[-100, 0])).delete()
    again = run(python, emulator_env, "manage.py", "fetch_ohlcv", "BTCUSDT", "5m")
    assert again.returncode == 0, again.stderr
    assert "inserted 99, updated 0, unchanged 1" in again.stdout
    assert Candle.objects.filter(timeframe="5m").count() == 345  # 2024-09-05 00:00 .. 09-06 04:40


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


def test_unknown_symbol_exits_non_zero_with_a_message(python, emulator_env):
    result = run(
        python,
        emulator_env,
        "manage.py",
        "fetch_ohlcv",
        "DOGEEUR",
        "1h",
        "--base",
        "DOGE",
        "--quote",
        "EUR",
    )
    assert result.returncode != 0
    assert "Unknown symbol 'DOGE/EUR' on binance" in result.stderr
    assert "Traceback" not in result.stderr


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
def test_bad_command_input_is_a_clear_error(python, emulator_env, args, message):
    result = run(python, emulator_env, "manage.py", "fetch_ohlcv", *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_import_ohlcv_loads_a_real_file_and_reimport_changes_nothing(
    python, subprocess_env, shared_data
):
    path = str(shared_data / "binance_SOL-USDT_1h.csv.gz")
    args = ["manage.py", "import_ohlcv", "SOLUSDT", "1h", path, "--base", "SOL", "--quote", "USDT"]
    first = run(python, subprocess_env, *args)
    assert first.returncode == 0, first.stderr
    assert "inserted 6002" in first.stdout
    second = run(python, subprocess_env, *args)
    assert "inserted 0, updated 0, unchanged 6002" in second.stdout
    assert Candle.objects.filter(timeframe="1h").count() == 6002


def test_candle_gaps_lists_missing_intervals(python, subprocess_env, shared_data):
    path = str(shared_data / "binance_BTC-USDT_5m_2020-12_2021-07.csv.gz")
    run(
        python,
        subprocess_env,
        "manage.py",
        "import_ohlcv",
        "BTCUSDT",
        "5m",
        path,
        "--base",
        "BTC",
        "--quote",
        "USDT",
    )
    result = run(python, subprocess_env, "manage.py", "candle_gaps", "BTCUSDT", "5m")
    assert result.returncode == 0, result.stderr
    assert "6 gaps, 177 candles missing" in result.stdout
    assert "2020-12-21 14:10 UTC .. 2020-12-21 17:55 UTC  (46 missing)" in result.stdout


def test_import_of_a_missing_file_is_a_clear_error(python, subprocess_env):
    result = run(
        python,
        subprocess_env,
        "manage.py",
        "import_ohlcv",
        "BTCUSDT",
        "5m",
        "/nope.csv",
        "--base",
        "BTC",
        "--quote",
        "USDT",
    )
    assert result.returncode != 0
    assert "No such file: /nope.csv" in result.stderr


def test_demo_data_falls_back_to_the_simulator_and_says_so(python, subprocess_env):
    env = {**subprocess_env, "EXCHANGE_API_HOSTS": '{"binance": "http://127.0.0.1:9"}'}
    result = run(python, env, "manage.py", "load_demo_data")
    assert result.returncode == 0, result.stderr
    assert "unreachable" in result.stdout and "SIMULATED" in result.stdout
    symbol = Symbol.objects.get(name="BTCUSDT")
    assert symbol.exchange == "simulated"
    counts = {
        tf: Candle.objects.filter(symbol=symbol, timeframe=tf).count() for tf in ("5m", "1h", "4h")
    }
    assert counts["5m"] == 60 * 288 and counts["1h"] >= 59 * 24 and counts["4h"] >= 59 * 6
    again = run(python, env, "manage.py", "load_demo_data")
    assert "already present" in again.stdout


def test_demo_data_downloads_from_the_exchange_when_reachable(python, emulator_env, emulator):
    import time

    from emulator import generate_candles

    now = int(time.time() * 1000)
    emulator.add_market(
        symbol="BTC/USDT",
        timeframe="5m",
        candles=generate_candles(timeframe="5m", count=70 * 288, start_ms=now - 70 * 86_400_000),
    )
    result = run(python, emulator_env, "manage.py", "load_demo_data")
    assert result.returncode == 0, result.stderr
    assert "Downloaded BTCUSDT 5m from Binance" in result.stdout
    assert Symbol.objects.get(name="BTCUSDT").exchange == "binance"
    assert Candle.objects.filter(timeframe="5m").count() >= 60 * 288 - 2
    assert np.all(
        np.diff(candles_window(symbol=Symbol.objects.get(), timeframe="1h").open_time) == 3600_000
    )


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


def test_beat_and_worker_keep_a_tracked_symbol_up_to_date(python, emulator_env, btc_5m):
    # celery beat (every 1.2 s here) enqueues the refresh; a worker downloads through ccxt.
    import time

    from config.celery import app

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
    processes = [
        subprocess.Popen(
            [python, "-m", "celery", "-A", "config", *args],
            env=env,
            cwd=env["PYTHONPATH"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for args in (
            ["beat", "-l", "info", "--schedule", beat_schedule],
            ["worker", "-l", "info", "--pool", "solo", "--hostname", f"beat-{time.time_ns()}@%h"],
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
