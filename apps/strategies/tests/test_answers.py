"""The run endpoint's answers: the same bytes as before, cached as bytes, ETag / 304, gzip,
and the queries a request costs."""

# ruff: noqa: F811 (pytest fixtures imported from test_api, named by the tests' arguments)

import gzip

import orjson
import pytest
from django.core.cache import cache

from apps.datafeeds.storage import candles_upsert
from apps.strategies.evaluation import strategy_evaluate
from apps.strategies.registry import strategy_spec
from apps.strategies.selectors import strategy_display_inputs

from .test_api import RUN, btc, client, run  # noqa: F401 (fixtures, shared with test_api)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[0, 60], ids=["uncached", "cached"])
def caching(request, settings):
    settings.STRATEGY_RUN_CACHE_SECONDS = request.param
    cache.clear()
    return request.param


def previous_rendering(symbol, timeframe, window, params) -> bytes:
    """What the endpoint sent before answers were encoded from arrays: Python lists and dicts
    (the presenter as it was), rendered by orjson."""
    spec = strategy_spec("hma-sma")
    params = spec.validate_params(params)
    inputs = strategy_display_inputs(
        spec=spec, params=params, symbol=symbol, timeframe=timeframe, **window
    )
    ev = strategy_evaluate(spec=spec, params=params, inputs=inputs)

    def nullable(values):
        return [None if v != v else v for v in values.tolist()]

    times = (ev.candles.open_time // 1000).tolist()
    c = ev.candles
    payload = {
        "strategy": spec.key,
        "params": ev.params,
        "symbol": symbol.name,
        "exchange": symbol.exchange,
        "simulated": symbol.is_simulated,
        "timeframe": ev.timeframe,
        "base_timeframe": spec.base_timeframe,
        "warmup_complete": ev.warmup_complete,
        "candles": [
            {"time": t, "open": o, "high": h, "low": lo, "close": cl, "volume": v}
            for t, o, h, lo, cl, v in zip(
                times,
                c.open.tolist(),
                c.high.tolist(),
                c.low.tolist(),
                c.close.tolist(),
                c.volume.tolist(),
                strict=True,
            )
        ],
    }
    for key, line in ev.lines.items():
        payload[key] = (
            {name: nullable(values) for name, values in line.items()}
            if isinstance(line, dict)
            else nullable(line)
        )
    if ev.base_indicators:  # added since (issue 25): above the base timeframe only
        payload["base_indicators"] = {
            name: nullable(values) for name, values in ev.base_indicators.items()
        }
    payload["entries"] = [
        {
            "time": int(e.display_open_ms) // 1000,
            "side": e.side,
            "bar_time": int(e.bar_open_ms) // 1000,
            "price": e.price,
        }
        for e in ev.entries
    ]
    payload["timeline"] = [
        {"time": t, "long": lg, "short": sh}
        for t, lg, sh in zip(times, ev.long_active.tolist(), ev.short_active.tolist(), strict=True)
    ]
    payload["should_enter_long"] = bool(ev.long_active[-1])
    payload["should_enter_short"] = bool(ev.short_active[-1])
    return orjson.dumps(payload)


@pytest.mark.parametrize(
    "query",
    [
        {"timeframe": "1h", "limit": 500},
        {"timeframe": "4h", "limit": 300, "sma_period": 50},
        {"timeframe": "5m", "limit": 400, "start": "2024-01-01"},  # warm-up incomplete: nulls
    ],
)
def test_the_answer_is_byte_for_byte_the_previous_one(client, btc, caching, query):
    response = run(client, **query)
    assert response.status_code == 200, response.content
    window = {"start_ms": None, "end_ms": None, "limit": query["limit"]}
    if "start" in query:
        window["start_ms"] = 1_704_067_200_000
    params = {k: v for k, v in query.items() if k == "sma_period"}
    expected = previous_rendering(btc, query["timeframe"], window, params)
    assert response.content == expected
    if "start" in query:
        assert b"null" in response.content  # NaN lines are null, as before


def test_conditional_requests_get_304_until_a_candle_changes(
    client, btc, btc_5m_candles, caching, django_capture_on_commit_callbacks
):
    query = {"timeframe": "5m", "limit": 100}
    first = run(client, **query)
    etag = first["ETag"]
    again = client.get(RUN, {"symbol": "BTCUSDT", **query}, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    revised = btc_5m_candles.rows()[-1:].copy()
    revised[0, 4] = revised[0, 2]  # the exchange revised the last close (up to the high)
    with django_capture_on_commit_callbacks(execute=True):
        candles_upsert(symbol=btc, timeframe="5m", rows=revised)
    after = client.get(RUN, {"symbol": "BTCUSDT", **query}, headers={"if-none-match": etag})
    assert after.status_code == 200 and after["ETag"] != etag
    assert after.json()["candles"][-1]["close"] == revised[0, 4]


def test_run_answers_are_gzipped_and_still_browsable(client, btc, caching):
    plain = run(client, timeframe="1h", limit=500)
    zipped = client.get(
        RUN,
        {"symbol": "BTCUSDT", "timeframe": "1h", "limit": 500},
        headers={"accept-encoding": "gzip"},
    )
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    html = client.get(
        RUN, {"symbol": "BTCUSDT", "timeframe": "1h", "limit": 5}, headers={"accept": "text/html"}
    )
    assert html.status_code == 200 and b"should_enter_long" in html.content


def test_queries_per_request(client, btc, settings, django_assert_num_queries):
    # Computed: the symbol; the displayed candles with their warm-up in one read; one read
    # per context timeframe; the 5m base series. (Six before: the warm-up was a read of its own.)
    with django_assert_num_queries(5):
        assert run(client, timeframe="1h", limit=500).status_code == 200
    with django_assert_num_queries(6):  # a start: the warm-up lies before it, a second read
        assert run(client, timeframe="1h", limit=500, start="2024-03-01").status_code == 200
    settings.STRATEGY_RUN_CACHE_SECONDS = 60
    settings.MARKET_DATA_CACHE_SECONDS = 60  # symbol resolutions are cached with market data
    cache.clear()
    run(client, timeframe="1h", limit=500)
    with django_assert_num_queries(0):  # cached: the answer and the symbol's resolution
        assert run(client, timeframe="1h", limit=500).status_code == 200
