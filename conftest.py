"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
# The real candle files the tests read. Missing data fails the run at start-up: a test module
# must never skip itself (and pass unseen) because its data is not there.
REQUIRED_DATA = (
    "binance_BTC-USDT_1d.csv.gz",
    "binance_BTC-USDT_4h.csv.gz",
    "binance_BTC-USDT_5m.csv.gz",
    "binance_BTC-USDT_5m_2020-12_2021-07.csv.gz",
    "binance_SOL-USDT_1h.csv.gz",
    "binance_XRP-ETH_1m.csv.gz",
    "binance_XRP-ETH_5m.csv.gz",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    missing = [name for name in REQUIRED_DATA if not (SHARED_DATA / name).is_file()]
    if missing:
        raise pytest.UsageError(
            f"missing test data in {SHARED_DATA}: {', '.join(missing)} (see its README.md)"
        )


# The longest modules, started first: `make test` hands whole modules to its workers in
# collection order (--dist loadscope --no-loadscope-reorder), so one of these handed out last
# would run alone at the end. Then every other module with a `slow` test, then the rest.
LONGEST_FIRST = (
    "tests/e2e/test_browser.py",  # every browser scenario, about 5 minutes
    "tests/test_bench.py",  # every benchmark at tiny sizes
    "apps/ops/tests/test_production_recipe.py",
    "apps/execution/tests/test_live_faults.py",
    "apps/analytics/tests/test_recovery.py",
    "tests/test_redis_outage.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}

    def rank(item: pytest.Item) -> tuple[int, int]:
        module = item.nodeid.split("::")[0]
        if module in LONGEST_FIRST:
            return 0, LONGEST_FIRST.index(module)
        return (1 if module in slow else 2), 0

    items.sort(key=rank)  # stable: a module's tests keep their order


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real exchange candles of ../shared/data (read in place, never copied)."""
    assert SHARED_DATA.is_dir(), f"missing {SHARED_DATA}"
    return SHARED_DATA


@pytest.fixture
def subprocess_env(settings):
    """Environment for a command run as a user would: same settings, the test database."""
    from django.db import connection

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DJANGO_DB_NAME=connection.settings_dict["NAME"],
        PYTHONPATH=str(PROJECT_ROOT),
    )
    return env


@pytest.fixture(scope="session")
def python() -> str:
    return sys.executable


# --- Two users and their API clients (owner-only endpoints: ana owns, bob is the other user) ---


@pytest.fixture
def ana(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("ana", password="pw-ana-123")


@pytest.fixture
def bob(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("bob", password="pw-bob-123")


def _api_client(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def ana_client(ana):
    """An API client signed in as ana."""
    return _api_client(ana)


@pytest.fixture
def bob_client(bob):
    """An API client signed in as bob."""
    return _api_client(bob)


# --- Real BTC/USDT candles of ../shared/data, read once per session ---------------------------


@pytest.fixture(scope="session")
def btc_5m_candles(shared_data):
    """Real Binance BTC/USDT 5m, 2024-01-01 .. 2024-09-06 (71,769 bars, no gap)."""
    from apps.datafeeds.arrays import CandleArrays
    from apps.datafeeds.importers import candle_file_read

    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_5m.csv.gz")
    return CandleArrays.from_rows(rows)


@pytest.fixture(scope="session")
def btc_4h_candles(shared_data):
    """The exchange's own 4h candles for the same period (not derived from the 5m file)."""
    from apps.datafeeds.arrays import CandleArrays
    from apps.datafeeds.importers import candle_file_read

    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_4h.csv.gz")
    return CandleArrays.from_rows(rows)


@pytest.fixture(scope="session")
def btc_1h_candles(btc_5m_candles):
    """1h aggregated from the 5m file (complete hours only)."""
    from apps.datafeeds.arrays import CandleArrays
    from apps.datafeeds.resample import resample_rows

    hours, complete = resample_rows(btc_5m_candles.rows(), source="5m", target="1h")
    return CandleArrays.from_rows(hours[complete])


@pytest.fixture
def btc_symbol(db):
    """BTCUSDT on binance, without candles."""
    from apps.datafeeds.models import Symbol

    return Symbol.objects.create(
        exchange="binance", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )


# --- The exchange emulator (emulator/: Binance's REST API over real candles) ---


@pytest.fixture(scope="module")
def module_emulator(shared_data):
    """One emulator per test module, serving the real BTC/USDT 5m candles (and their aggregates);
    each test's fixture starts it afresh with `reset()` (the start-up costs a second)."""
    from emulator import ExchangeEmulator

    with ExchangeEmulator() as emu:
        emu.load_csv("BTC/USDT", "5m", shared_data / "binance_BTC-USDT_5m.csv.gz")
        yield emu


# --- A Redis server of the test's own, to stop and restart (tests/redis_server.py) ---------


@pytest.fixture
def private_redis(tmp_path):
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path).start()
    yield server
    server.stop()
