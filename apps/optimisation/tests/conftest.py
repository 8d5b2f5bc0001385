"""Fixtures of the stored-backtest tests: real BTC/USDT candles in PostgreSQL, users, clients."""

from __future__ import annotations

import pytest

from apps.datafeeds.models import Symbol
from apps.datafeeds.storage import candles_upsert


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
    """These API tests sign in as ana (the root conftest's users)."""
    return ana_client


@pytest.fixture(autouse=True)
def _optuna_connections_closed():
    """Optuna's pooled connections closed after each test: the test database can be dropped."""
    yield
    from apps.optimisation.storage import storages_dispose

    storages_dispose()
