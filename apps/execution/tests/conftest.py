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
