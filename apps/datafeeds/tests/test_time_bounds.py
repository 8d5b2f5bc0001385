"""Every time a user gives is checked to 1970..2100: a 400 naming the field, never a database
overflow (PostgreSQL's bigint, SQLite's 64-bit integer) or a 500."""

from __future__ import annotations

import numpy as np
import pytest
from rest_framework.test import APIClient

from apps.datafeeds.models import Symbol
from apps.datafeeds.storage import candles_upsert
from apps.datafeeds.times import TIME_MAX_MS, parse_time_ms

pytestmark = pytest.mark.django_db
HUGE = [
    "99999999999999999999",
    "9223372036854775808",
    "-1",
    "0001-01-01",
    "9999-12-31T23:59:59-01:00",
    "2100-01-01",
    "١٢٣",
    "9" * 5000,
]


@pytest.fixture
def btc(db):
    symbol = Symbol.objects.create(
        exchange="binance", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )
    t0 = parse_time_ms("2024-01-01")
    times = t0 + np.arange(300, dtype=np.int64) * 300_000
    rows = np.column_stack([times, *(np.full(300, 100.0),) * 4, np.ones(300)])
    candles_upsert(symbol=symbol, timeframe="5m", rows=rows)
    return symbol


def test_the_range_is_1970_to_2100():
    assert parse_time_ms("1970-01-01") == 0
    assert parse_time_ms("2099-12-31T23:59:59") == TIME_MAX_MS - 1000
    for text in HUGE:
        with pytest.raises(ValueError):
            parse_time_ms(text)


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["start", "end"])
@pytest.mark.parametrize("url", ["/api/datafeeds/candles/", "/api/strategies/hma-sma/run/"])
def test_out_of_range_times_are_400_naming_the_field(btc, url, field, value):
    response = APIClient().get(url, {"symbol": "BTCUSDT", "timeframe": "5m", field: value})
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_times_inside_the_range_still_work(btc):
    response = APIClient().get(
        "/api/datafeeds/candles/",
        {"symbol": "BTCUSDT", "timeframe": "5m", "start": "1970-01-01", "end": "2099-12-31"},
    )
    assert response.status_code == 200 and response.json()["count"] == 300
