"""End to end: the platform (uvicorn, PostgreSQL, real candles) driven in headless Chromium.

The browser scenarios live in frontend/e2e (Vitest + playwright-core); this test prepares the
database and the server the way a user runs them, then runs those scenarios against it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from apps.datafeeds.importers import candle_file_read
from apps.datafeeds.models import Symbol
from apps.datafeeds.resample import resample_rows
from apps.datafeeds.storage import candles_upsert
from tests.readme_walkthrough import readme_walkthrough

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def real_candles(shared_data):
    """BTC/USDT 5m, 4h, 1d as the exchange served them, 15m/30m/1h aggregated; SOL/USDT 1h."""
    btc = Symbol.objects.create(name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT")
    five, _ = candle_file_read(shared_data / "binance_BTC-USDT_5m.csv.gz")
    candles_upsert(symbol=btc, timeframe="5m", rows=five)
    for timeframe in ("4h", "1d"):
        rows, _ = candle_file_read(shared_data / f"binance_BTC-USDT_{timeframe}.csv.gz")
        candles_upsert(symbol=btc, timeframe=timeframe, rows=rows)
    for timeframe in ("15m", "30m", "1h"):
        rows, complete = resample_rows(five, source="5m", target=timeframe)
        candles_upsert(symbol=btc, timeframe=timeframe, rows=rows[complete])
    sol = Symbol.objects.create(name="SOLUSDT", base="SOL", quote="USDT", market_symbol="SOL/USDT")
    rows, _ = candle_file_read(shared_data / "binance_SOL-USDT_1h.csv.gz")
    candles_upsert(symbol=sol, timeframe="1h", rows=rows)


@pytest.fixture
def demo_user(db):
    """The account the browser tests sign in with."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("demo", password="demo-pass-123")


# The exchange account the Accounts page scenario adds and checks: the emulator knows this key.
EMULATOR_API_KEY = "e2eKeyQ4mZ8a1b2"
EMULATOR_SECRET = "e2eS3cret-only-in-the-emulator"
# The README's exchange emulator walk-through (read from README.md): its documented account.
_WALKTHROUGH = readme_walkthrough()
README_ACCOUNT = _WALKTHROUGH.emulator[_WALKTHROUGH.emulator.index("--account") + 1]
# The account the live bot scenario trades on (its own balances, whatever ran before it).
LIVE_API_KEY = "e2eLiveK7w3Xp9"
LIVE_SECRET = "e2eLiveS3cret-only-in-the-emulator"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def exchange_emulator(python, subprocess_env, shared_data):
    """`python -m emulator` on a free port with two API keys; its URL. ETH/USDT 5m is the real
    BTC/USDT rows, the live bot scenario's market (tests/e2e/bot_clock.py moves its clock)."""
    process = subprocess.Popen(
        [
            python,
            "-m",
            "emulator",
            "--port",
            "0",
            "--generate",
            "BTC/USDT:1h:200",
            "--csv",
            f"ETH/USDT:5m:{shared_data / 'binance_BTC-USDT_5m.csv.gz'}",
            "--account",
            f"{EMULATOR_API_KEY}:{EMULATOR_SECRET}:USDT=10000,BTC=0.5",
            "--account",
            f"{LIVE_API_KEY}:{LIVE_SECRET}:USDT=10000",
            # The README's walk-through key, as documented (accounts.e2e adds it on the page).
            "--account",
            README_ACCOUNT,
        ],
        env=subprocess_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert "listening on http" in banner, f"the emulator did not start: {banner!r}"
        yield banner.rsplit(" ", 1)[-1].strip()
    finally:
        _stop([process])


@pytest.fixture
def platform(real_candles, demo_user, subprocess_env, exchange_emulator):
    """The platform as `make run` starts it (web process and a Celery worker), on the test
    database, with exchange accounts pointed at the emulator."""
    from config.celery import app
    from tests.workers import celery_worker_argv

    # The e2e build: the production bundle plus the read-only chart handles the scenarios use.
    dist = FRONTEND / "dist-e2e"
    if not (dist / "index.html").is_file():
        pytest.fail("The browser tests' build is missing: run `make test` (npm run build:e2e).")
    app.control.purge()
    # The web process and the worker (which sends the live bots' orders) trade on the emulator.
    server_env = {
        **subprocess_env,
        "DJANGO_DEBUG": "False",
        "FRONTEND_DIST": str(dist),
        "EXCHANGE_API_HOSTS": json.dumps({"binance": exchange_emulator}),
    }
    processes: list[subprocess.Popen] = []
    try:
        worker, _ = celery_worker_argv(str(ROOT / ".venv/bin/python"), name="e2e")
        processes.append(
            subprocess.Popen(
                worker,
                env=server_env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        port = _free_port()
        processes.append(
            subprocess.Popen(
                # As the Procfile runs it: open sockets get 5 s to close on SIGTERM.
                [
                    str(ROOT / ".venv/bin/uvicorn"),
                    "config.asgi:application",
                    "--port",
                    str(port),
                    "--timeout-graceful-shutdown",
                    "5",
                ],
                env=server_env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/", timeout=5) as response:
                    assert b'id="root"' in response.read(), "/ does not serve the browser app"
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        yield url, exchange_emulator
    finally:
        # The server first, then the worker: nothing is left running whatever failed above.
        _stop(list(reversed(processes)))


@pytest.mark.timeout(1500)  # every browser scenario file runs in this one test
def test_browser_scenarios(platform, subprocess_env):
    url, emulator_url = platform
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: `make test` installs Debian's chromium"
    npm = shutil.which("npm")
    assert npm, "npm is needed for the browser tests"
    # E2E_ONLY="replay backtests" runs only the e2e files whose names contain those words.
    only = os.environ.get("E2E_ONLY", "").split()
    result = subprocess.run(
        [npm, "run", "test:e2e", "--", *only],
        cwd=FRONTEND,
        # The server's environment: e2e/bots.e2e.test.ts drives tests/e2e/bot_clock.py with it.
        env={
            **subprocess_env,
            "E2E_BASE_URL": url,
            "CHROMIUM_PATH": CHROMIUM,
            "E2E_EXCHANGE_API_KEY": EMULATOR_API_KEY,
            "E2E_EXCHANGE_SECRET": EMULATOR_SECRET,
            "E2E_EMULATOR_URL": emulator_url,
            "E2E_LIVE_API_KEY": LIVE_API_KEY,
            "E2E_LIVE_SECRET": LIVE_SECRET,
            "E2E_README_API_KEY": _WALKTHROUGH.api_key,
            "E2E_README_SECRET": _WALKTHROUGH.secret,
        },
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(result.stdout[-5000:])
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
