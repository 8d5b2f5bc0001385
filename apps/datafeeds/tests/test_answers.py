"""The candles endpoint's cached answers: same bytes as before, ETag / 304, gzip, queries."""

import gzip

import numpy as np
import orjson
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.models import Symbol
from apps.datafeeds.presenters import candle_rows, json_rows
from apps.datafeeds.storage import candles_upsert

pytestmark = pytest.mark.django_db

URL = "/api/datafeeds/candles/"
LATEST = {"symbol": "BTCUSDT", "timeframe": "5m", "limit": 1000}


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def stored_btc(btc_symbol, btc_5m):
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[:2000])
    return btc_symbol


@pytest.fixture(params=[0, 60], ids=["uncached", "cached"])
def caching(request, settings):
    """Every rule holds with the answer cache off (tests' default) and on."""
    settings.MARKET_DATA_CACHE_SECONDS = request.param
    cache.clear()
    return request.param


def previous_rendering(candles: CandleArrays, **head) -> bytes:
    """What the endpoint sent before answers were rendered from arrays: dicts of Python values."""
    rows = [
        {"time": t, "open": o, "high": h, "low": lo, "close": c, "volume": v}
        for t, o, h, lo, c, v in zip(
            (candles.open_time // 1000).tolist(),
            candles.open.tolist(),
            candles.high.tolist(),
            candles.low.tolist(),
            candles.close.tolist(),
            candles.volume.tolist(),
            strict=True,
        )
    ]
    return orjson.dumps({**head, "count": len(rows), "candles": rows})


def test_the_answer_is_byte_for_byte_the_previous_one(client, stored_btc, btc_5m, caching):
    response = client.get(URL, LATEST)
    assert response.status_code == 200
    expected = previous_rendering(
        CandleArrays.from_rows(btc_5m[1000:2000]),
        symbol="BTCUSDT",
        exchange="binance",
        timeframe="5m",
        simulated=False,
    )
    assert response.content == expected
    assert response["Content-Type"] == "application/json"


def test_json_rows_writes_what_orjson_writes_for_the_dicts():
    rng = np.random.default_rng(7)
    columns = {
        "time": np.arange(5, dtype=np.int64) * 1_700_000_000,
        "price": np.array([1.0, 0.1 + 0.2, 1e-7, 1e22, -2.5]),
        "raw": rng.normal(size=5) * 1e6,
        "flag": np.array([True, False, True, True, False]),
    }
    dicts = [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]
    as_python = [{k: v.item() for k, v in row.items()} for row in dicts]
    assert orjson.dumps(json_rows(columns)) == orjson.dumps(as_python)
    empty = CandleArrays.from_rows(np.empty((0, 6)))
    assert orjson.dumps(candle_rows(empty)) == b"[]"


def test_conditional_requests_get_304_until_a_candle_changes(
    client, stored_btc, btc_5m, caching, django_capture_on_commit_callbacks
):
    first = client.get(URL, LATEST)
    etag = first["ETag"]
    assert etag.startswith('W/"') and first["Cache-Control"] == "public, no-cache"
    again = client.get(URL, LATEST, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert client.get(URL, LATEST, headers={"if-none-match": 'W/"other"'}).status_code == 200

    revised = btc_5m[1999:2000].copy()
    revised[0, 4] = revised[0, 2]  # the exchange revised the last close (up to the high)
    with django_capture_on_commit_callbacks(execute=True):
        candles_upsert(symbol=stored_btc, timeframe="5m", rows=revised)
    after_revision = client.get(URL, LATEST, headers={"if-none-match": etag})
    assert after_revision.status_code == 200
    assert after_revision.json()["candles"][-1]["close"] == revised[0, 4]
    assert after_revision["ETag"] != etag

    with django_capture_on_commit_callbacks(execute=True):
        candles_upsert(symbol=stored_btc, timeframe="5m", rows=btc_5m[2000:2001])
    after_new = client.get(URL, LATEST, headers={"if-none-match": after_revision["ETag"]})
    assert after_new.status_code == 200
    assert after_new.json()["candles"][-1]["time"] == int(btc_5m[2000, 0]) // 1000
    assert after_new["ETag"] not in (etag, after_revision["ETag"])


def test_public_answers_are_gzipped_for_clients_that_accept_it(client, stored_btc, caching):
    plain = client.get(URL, LATEST)
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    zipped = client.get(URL, LATEST, headers={"accept-encoding": "gzip, deflate, br"})
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 2
    assert zipped["ETag"] == plain["ETag"]  # weak: the same content in either encoding
    small = client.get(URL, {**LATEST, "limit": 2}, headers={"accept-encoding": "gzip"})
    assert "Content-Encoding" not in small  # under GZIP_MIN_BYTES: not worth it


def test_an_answer_setting_a_session_cookie_is_never_gzipped(client, stored_btc, settings):
    # The BREACH rule: nothing is compressed in a response that carries session or CSRF data.
    settings.SESSION_SAVE_EVERY_REQUEST = True  # every signed-in answer sets the session cookie
    get_user_model().objects.create_user("ana", password="pw-ana-123")
    assert client.login(username="ana", password="pw-ana-123")
    response = client.get(URL, LATEST, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and settings.SESSION_COOKIE_NAME in response.cookies
    assert "Content-Encoding" not in response
    assert response.json()["count"] == 1000
    settings.SESSION_SAVE_EVERY_REQUEST = False  # signed in, but no cookie in the answer
    response = client.get(URL, LATEST, headers={"accept-encoding": "gzip"})
    assert not response.cookies and response["Content-Encoding"] == "gzip"


def test_queries_per_request(
    client, stored_btc, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # Computed: the symbol, then the candles (one read of six binary arrays).
    with django_assert_num_queries(2):
        assert client.get(URL, LATEST).status_code == 200
    settings.MARKET_DATA_CACHE_SECONDS = 60
    cache.clear()
    client.get(URL, LATEST)
    with django_assert_num_queries(0):  # cached: the symbol's resolution too
        etag = client.get(URL, LATEST)["ETag"]
    with django_assert_num_queries(0):
        assert client.get(URL, LATEST, headers={"if-none-match": etag}).status_code == 304


def test_cached_symbol_resolution_follows_symbol_changes(
    client, btc_5m, settings, django_capture_on_commit_callbacks
):
    settings.MARKET_DATA_CACHE_SECONDS = 60
    settings.DATAFEEDS_DEFAULT_EXCHANGE = "binance"
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        kraken = Symbol.objects.create(
            exchange="kraken", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
        )
        candles_upsert(symbol=kraken, timeframe="5m", rows=btc_5m[:10])
    assert client.get(URL, LATEST).json()["exchange"] == "kraken"  # the only one
    assert client.get(URL, LATEST).json()["exchange"] == "kraken"  # now from the cache
    with django_capture_on_commit_callbacks(execute=True):  # the default exchange lists it
        binance = Symbol.objects.create(
            exchange="binance", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
        )
        candles_upsert(symbol=binance, timeframe="5m", rows=btc_5m[:20])
    assert client.get(URL, LATEST).json() | {"candles": None} == {
        "symbol": "BTCUSDT",
        "exchange": "binance",
        "timeframe": "5m",
        "simulated": False,
        "count": 20,
        "candles": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        binance.delete()
        kraken.delete()
    assert client.get(URL, LATEST).status_code == 404
