"""Fixtures of the bot tests: real BTC/USDT candles in PostgreSQL, users, API clients."""

from __future__ import annotations

import pytest

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.importers import candle_file_read
from apps.datafeeds.models import Symbol
from apps.datafeeds.resample import resample_rows
from apps.datafeeds.storage import candles_upsert


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Shared signals live in the cache: none may leak from another test's database."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def btc_5m_candles(shared_data) -> CandleArrays:
    """Real Binance BTC/USDT 5m, 2024-01-01 .. 2024-09-06 (71,769 bars, no gap)."""
    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_5m.csv.gz")
    return CandleArrays.from_rows(rows)


@pytest.fixture(scope="session")
def btc_4h_candles(shared_data) -> CandleArrays:
    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_4h.csv.gz")
    return CandleArrays.from_rows(rows)


@pytest.fixture(scope="session")
def btc_1h_candles(btc_5m_candles) -> CandleArrays:
    hours, complete = resample_rows(btc_5m_candles.rows(), source="5m", target="1h")
    return CandleArrays.from_rows(hours[complete])


@pytest.fixture
def btc_symbol(db) -> Symbol:
    return Symbol.objects.create(
        exchange="binance", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )


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
