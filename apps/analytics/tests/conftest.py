"""Fixtures of the stored-backtest tests: real BTC/USDT candles in PostgreSQL, users, clients."""

from __future__ import annotations

import pytest

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.importers import candle_file_read
from apps.datafeeds.models import Symbol
from apps.datafeeds.resample import resample_rows
from apps.datafeeds.storage import candles_upsert

# Its asserts compare stored runs with the engine: let pytest explain a mismatch (registered
# before the test modules import it).
pytest.register_assert_rewrite("apps.analytics.tests.expected")


@pytest.fixture(scope="session")
def btc_5m_candles(shared_data) -> CandleArrays:
    """Real Binance BTC/USDT 5m, 2024-01-01 .. 2024-09-06 (71,769 bars, no gap)."""
    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_5m.csv.gz")
    return CandleArrays.from_rows(rows)


@pytest.fixture(scope="session")
def btc_4h_candles(shared_data) -> CandleArrays:
    """The exchange's own 4h candles for the same period (not derived from the 5m file)."""
    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_4h.csv.gz")
    return CandleArrays.from_rows(rows)


@pytest.fixture(scope="session")
def btc_1h_candles(btc_5m_candles) -> CandleArrays:
    hours, complete = resample_rows(btc_5m_candles.rows(), source="5m", target="1h")
    return CandleArrays.from_rows(hours[complete])


@pytest.fixture
def btc_symbol(db) -> Symbol:
    """BTCUSDT without candles (for what never reads them)."""
    return Symbol.objects.create(
        exchange="binance", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )


@pytest.fixture
def btc(btc_symbol, btc_5m_candles, btc_1h_candles, btc_4h_candles) -> Symbol:
    """BTCUSDT with the real 5m candles, the exchange's 4h and 1h aggregated from the 5m."""
    symbol = btc_symbol
    candles_upsert(symbol=symbol, timeframe="5m", rows=btc_5m_candles.rows())
    candles_upsert(symbol=symbol, timeframe="1h", rows=btc_1h_candles.rows())
    candles_upsert(symbol=symbol, timeframe="4h", rows=btc_4h_candles.rows())
    return symbol


@pytest.fixture
def client(ana_client):
    """This app's API tests sign in as ana (the root conftest's users)."""
    return ana_client
