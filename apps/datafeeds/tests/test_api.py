import pytest
from rest_framework.test import APIClient

from apps.datafeeds.models import SIMULATED_EXCHANGE, Symbol
from apps.datafeeds.storage import candles_upsert

pytestmark = pytest.mark.django_db

URL = "/api/datafeeds/candles/"
T0_S = 1_704_067_200  # first candle of the real BTC file: 2024-01-01 00:00 UTC


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def stored_btc(btc_symbol, btc_5m):
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[:2000])
    return btc_symbol


def test_latest_candles_by_default(client, stored_btc, btc_5m):
    body = client.get(URL, {"symbol": "BTCUSDT", "timeframe": "5m"}).json()
    assert body["count"] == 500
    assert body["simulated"] is False
    assert body["candles"][-1] == {
        "time": int(btc_5m[1999, 0]) // 1000,
        "open": btc_5m[1999, 1],
        "high": btc_5m[1999, 2],
        "low": btc_5m[1999, 3],
        "close": btc_5m[1999, 4],
        "volume": btc_5m[1999, 5],
    }
    times = [c["time"] for c in body["candles"]]
    assert times == sorted(times)


def test_start_gives_the_first_candles_from_it(client, stored_btc):
    body = client.get(
        URL, {"symbol": "BTCUSDT", "timeframe": "5m", "start": "2024-01-01T01:00", "limit": 3}
    ).json()
    assert [c["time"] for c in body["candles"]] == [T0_S + 3600, T0_S + 3900, T0_S + 4200]


def test_end_is_inclusive_and_limit_takes_the_last(client, stored_btc):
    body = client.get(
        URL, {"symbol": "BTCUSDT", "timeframe": "5m", "end": str(T0_S + 3600), "limit": 2}
    ).json()
    assert [c["time"] for c in body["candles"]] == [T0_S + 3300, T0_S + 3600]


def test_start_and_end_bound_the_window(client, stored_btc):
    body = client.get(
        URL,
        {"symbol": "BTCUSDT", "timeframe": "5m", "start": "2024-01-01", "end": "2024-01-01T00:20Z"},
    ).json()
    assert body["count"] == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"timeframe": "5m"}, "symbol"),
        ({"symbol": "BTCUSDT", "timeframe": "d"}, "timeframe"),
        ({"symbol": "BTCUSDT", "timeframe": "5M"}, "timeframe"),
        ({"symbol": "BTCUSDT", "timeframe": "5m", "limit": "0"}, "limit"),
        ({"symbol": "BTCUSDT", "timeframe": "5m", "limit": "10001"}, "limit"),
        ({"symbol": "BTCUSDT", "timeframe": "5m", "limit": "many"}, "limit"),
        ({"symbol": "BTCUSDT", "timeframe": "5m", "start": "yesterday"}, "start"),
        ({"symbol": "BTCUSDT", "timeframe": "5m", "end": "2024-13-01"}, "end"),
        (
            {"symbol": "BTCUSDT", "timeframe": "5m", "start": "2024-02-01", "end": "2024-01-01"},
            "end",
        ),
    ],
)
def test_bad_parameters_are_400_naming_the_field(client, stored_btc, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_unknown_symbol_is_404_with_a_message(client, stored_btc):
    response = client.get(URL, {"symbol": "NOPEUSDT", "timeframe": "5m"})
    assert response.status_code == 404
    assert "NOPEUSDT" in response.json()["detail"]
    assert "fetch_ohlcv" in response.json()["detail"]


def test_symbol_on_another_exchange_is_found_when_named(client, stored_btc, btc_5m):
    sim = Symbol.objects.create(
        exchange=SIMULATED_EXCHANGE,
        name="ETHUSDT",
        base="ETH",
        quote="USDT",
        market_symbol="ETH/USDT",
    )
    candles_upsert(symbol=sim, timeframe="5m", rows=btc_5m[:10])
    body = client.get(URL, {"symbol": "ETHUSDT", "timeframe": "5m"}).json()
    assert body["exchange"] == SIMULATED_EXCHANGE and body["simulated"] is True
    missing = client.get(URL, {"symbol": "ETHUSDT", "timeframe": "5m", "exchange": "binance"})
    assert missing.status_code == 404


def test_symbols_list_shows_coverage_per_timeframe(client, stored_btc, btc_5m):
    candles_upsert(symbol=stored_btc, timeframe="1h", rows=btc_5m[:24:12])
    body = client.get("/api/datafeeds/symbols/").json()
    assert body[0]["name"] == "BTCUSDT" and body[0]["simulated"] is False
    assert body[0]["timeframes"] == [
        {"timeframe": "5m", "count": 2000, "first": T0_S, "last": T0_S + 1999 * 300},
        {"timeframe": "1h", "count": 2, "first": T0_S, "last": T0_S + 3600},
    ]


def test_market_data_is_public_and_schema_is_served(client):
    assert client.get("/api/datafeeds/symbols/").status_code == 200
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/datafeeds/candles/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_candles_are_served_with_debug_cursors_too(client, stored_btc, settings):
    # DEBUG=True (the local default) wraps cursors for query logging; the COPY read must work.
    from django.db import connection

    connection.force_debug_cursor = True
    try:
        response = client.get(URL, {"symbol": "BTCUSDT", "timeframe": "5m", "limit": 5})
    finally:
        connection.force_debug_cursor = False
    assert response.status_code == 200
    assert response.json()["count"] == 5
