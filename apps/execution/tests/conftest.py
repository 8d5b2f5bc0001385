"""Fixtures of the bot tests: real BTC/USDT candles in PostgreSQL, users, API clients."""

from __future__ import annotations

import pytest

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.models import Symbol
from apps.datafeeds.storage import candles_upsert


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Shared signals live in the cache: none may leak from another test's database."""
    from django.core.cache import cache

    cache.clear()


def store_until(symbol, candles: CandleArrays, timeframe: str, end_ms: int | None) -> None:
    rows = candles.rows() if end_ms is None else candles.rows()[candles.open_time < end_ms]
    candles_upsert(symbol=symbol, timeframe=timeframe, rows=rows)


@pytest.fixture
def btc(btc_symbol, btc_5m_candles, btc_1h_candles, btc_4h_candles) -> Symbol:
    """BTCUSDT with the real 5m candles, the exchange's 4h and 1h aggregated from the 5m."""
    store_until(btc_symbol, btc_5m_candles, "5m", None)
    store_until(btc_symbol, btc_1h_candles, "1h", None)
    store_until(btc_symbol, btc_4h_candles, "4h", None)
    return btc_symbol


@pytest.fixture
def client(ana_client):
    """This app's API tests sign in as ana (the root conftest's users)."""
    return ana_client


# --- The exchange emulator of the live bot tests (the root conftest's; see live_helpers.py) ---


@pytest.fixture
def emu(module_emulator, settings):
    """A fresh book and account, the clock at START, the platform pointed at the emulator."""
    import redis
    from django.conf import settings as django_settings

    from .helpers import START
    from .live_helpers import KEY, SECRET, USDT0, WINDOW_S

    client = redis.Redis.from_url(django_settings.REDIS_URL)
    keys = list(client.scan_iter("ratelimit:*"))
    if keys:  # no request budget or back-off left by another test
        client.delete(*keys)
    module_emulator.reset()
    module_emulator.clock_set(START)
    module_emulator.account_create(KEY, SECRET, {"USDT": str(USDT0)})
    settings.EXCHANGE_API_HOSTS = {"binance": module_emulator.url}
    settings.EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS = WINDOW_S
    yield module_emulator
    module_emulator.clear_faults()


@pytest.fixture
def btc_may(btc_symbol, btc_5m_candles):
    from .helpers import START, store_around

    store_around(btc_symbol, btc_5m_candles, START, days_after=2)
    return btc_symbol


@pytest.fixture
def account(ana, emu):
    from apps.exchanges.services import exchange_account_check, exchange_account_create

    from .live_helpers import KEY, SECRET

    account = exchange_account_create(
        owner=ana, label="emulator", exchange="binance", api_key=KEY, secret=SECRET
    )
    assert exchange_account_check(account=account).ok
    account.refresh_from_db()
    return account
