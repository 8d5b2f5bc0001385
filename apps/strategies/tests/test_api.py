import numpy as np
import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.datafeeds.models import Symbol
from apps.datafeeds.storage import candles_upsert

pytestmark = pytest.mark.django_db

RUN = "/api/strategies/hma-sma/run/"
HOUR_S = 3600


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def btc(db, btc_5m_candles, btc_4h_candles):
    """Real BTC/USDT 5m and the exchange's 4h candles; 1h candles aggregated from the 5m ones."""
    from apps.datafeeds.resample import resample_rows

    symbol = Symbol.objects.create(
        exchange="binance", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )
    candles_upsert(symbol=symbol, timeframe="5m", rows=btc_5m_candles.rows())
    candles_upsert(symbol=symbol, timeframe="4h", rows=btc_4h_candles.rows())
    hours, complete = resample_rows(btc_5m_candles.rows(), source="5m", target="1h")
    candles_upsert(symbol=symbol, timeframe="1h", rows=hours[complete])
    return symbol


def run(client, **params):
    return client.get(RUN, {"symbol": "BTCUSDT", **params})


def test_run_returns_the_contract_with_full_warmup(client, btc):
    body = run(client, timeframe="1h", limit=500).json()
    assert body["warmup_complete"] is True
    assert len(body["candles"]) == 500
    assert len(body["sma"]) == 500 and body["sma"][0] is not None
    assert set(body["hma"]) == {"1h", "4h"}
    assert all(v is not None for v in body["hma"]["4h"])
    assert len(body["timeline"]) == 500
    assert body["timeline"][-1]["long"] == body["should_enter_long"]
    assert body["timeline"][-1]["short"] == body["should_enter_short"]
    times = [c["time"] for c in body["candles"]]
    assert times == sorted(times) and times[1] - times[0] == HOUR_S


def test_entries_sit_on_the_candle_containing_their_5m_bar(client, btc):
    body = run(client, timeframe="4h", limit=300).json()
    assert body["entries"], "the real data has entries in 300 4h candles"
    candle_times = {c["time"] for c in body["candles"]}
    for entry in body["entries"]:
        assert entry["time"] in candle_times
        assert entry["time"] <= entry["bar_time"] < entry["time"] + 4 * HOUR_S
        assert entry["side"] in ("long", "short")


def test_the_same_entries_whatever_the_display_timeframe(client, btc):
    five = run(client, timeframe="5m", start="2024-08-01", end="2024-08-03T23:55", limit=864).json()
    hour = run(client, timeframe="1h", start="2024-08-01", end="2024-08-03T23:00").json()
    assert [(e["bar_time"], e["side"], e["price"]) for e in five["entries"]] == [
        (e["bar_time"], e["side"], e["price"]) for e in hour["entries"]
    ]
    for entry in five["entries"]:
        assert entry["time"] == entry["bar_time"]


def test_timeline_flips_with_the_setups(client, btc):
    body = run(client, timeframe="5m", start="2024-08-01", end="2024-08-10", limit=3000).json()
    longs = [t["long"] for t in body["timeline"]]
    firsts = [i for i in range(1, len(longs)) if longs[i] and not longs[i - 1]]
    entry_times = {e["time"] for e in body["entries"] if e["side"] == "long"}
    assert {body["timeline"][i]["time"] for i in firsts} <= entry_times


def test_warmup_incomplete_at_the_start_of_the_data(client, btc):
    body = run(client, timeframe="1h", start="2024-01-01", limit=100).json()
    assert body["warmup_complete"] is False
    assert body["sma"][0] is None and body["hma"]["4h"][0] is None
    assert not any(t["long"] or t["short"] for t in body["timeline"])


def test_parameter_overrides_are_applied_and_validated(client, btc):
    body = run(client, timeframe="1h", limit=50, sma_period=20, hma_period=20).json()
    assert body["params"] == {"sma_period": 20, "hma_period": 20}
    for bad, field in [
        ({"sma_period": "1"}, "sma_period"),
        ({"hma_period": "abc"}, "hma_period"),
        ({"sma_period": "5000"}, "sma_period"),
        ({"bogus": "1"}, "bogus"),
    ]:
        response = run(client, timeframe="1h", **bad)
        assert response.status_code == 400, bad
        assert field in response.json()


def test_unknown_symbol_is_404(client, btc):
    response = client.get(RUN, {"symbol": "NOPE", "timeframe": "1h"})
    assert response.status_code == 404
    assert "NOPE" in response.json()["detail"]


def test_missing_base_data_says_which_command_to_run(client, db, btc_4h_candles):
    only_4h = Symbol.objects.create(
        exchange="binance", name="ETHUSDT", base="ETH", quote="USDT", market_symbol="ETH/USDT"
    )
    candles_upsert(symbol=only_4h, timeframe="4h", rows=btc_4h_candles.rows()[:50])
    response = client.get(RUN, {"symbol": "ETHUSDT", "timeframe": "4h"})
    assert response.status_code == 404
    assert "python manage.py fetch_ohlcv ETHUSDT 5m" in response.json()["detail"]


def test_bad_query_is_400_naming_the_field(client, btc):
    assert "timeframe" in client.get(RUN, {"symbol": "BTCUSDT", "timeframe": "2h"}).json()
    assert "limit" in client.get(RUN, {"symbol": "BTCUSDT", "timeframe": "1h", "limit": 0}).json()


def test_the_second_strategy_runs_through_the_same_view(client, btc):
    body = client.get(
        "/api/strategies/ema-cross/run/", {"symbol": "BTCUSDT", "timeframe": "1h", "limit": 200}
    ).json()
    assert body["strategy"] == "ema-cross" and len(body["ema_fast"]) == 200
    assert body["entries"]
    bad = client.get(
        "/api/strategies/ema-cross/run/",
        {"symbol": "BTCUSDT", "timeframe": "1h", "fast_period": 50, "slow_period": 20},
    )
    assert bad.status_code == 400 and "fast_period" in bad.json()
    assert (
        client.get(
            "/api/strategies/nope/run/", {"symbol": "BTCUSDT", "timeframe": "1h"}
        ).status_code
        == 404
    )


def test_catalog_lists_strategies_with_schemas(client):
    body = client.get("/api/strategies/catalog/").json()
    by_key = {entry["key"]: entry for entry in body}
    assert set(by_key) >= {"hma-sma", "ema-cross"}
    sma = next(p for p in by_key["hma-sma"]["params"] if p["name"] == "sma_period")
    assert (sma["default"], sma["minimum"], sma["type"]) == (200, 2, "integer")


# --- Saved parameter sets -----------------------------------------------------------------------


@pytest.fixture
def ana():
    user = get_user_model().objects.create_user("ana", password="pw-ana-123")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def bob():
    user = get_user_model().objects.create_user("bob", password="pw-bob-123")
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_saved_strategies_are_validated_and_owned(ana, bob):
    created = ana.post(
        "/api/strategies/saved/",
        {"key": "hma-sma", "name": "fast", "params": {"sma_period": 50}},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["params"] == {"sma_period": 50, "hma_period": 200}
    pk = created.json()["id"]
    assert [s["name"] for s in ana.get("/api/strategies/saved/").json()] == ["fast"]
    assert bob.get("/api/strategies/saved/").json() == []
    assert bob.get(f"/api/strategies/saved/{pk}/").status_code == 404
    assert bob.delete(f"/api/strategies/saved/{pk}/").status_code == 404
    patched = ana.patch(
        f"/api/strategies/saved/{pk}/", {"params": {"hma_period": 3}}, format="json"
    )
    assert patched.status_code == 400 and "hma_period" in patched.json()["params"]
    assert ana.delete(f"/api/strategies/saved/{pk}/").status_code == 204


def test_saved_strategy_errors_name_the_field(ana):
    bad_key = ana.post("/api/strategies/saved/", {"key": "nope", "name": "x"}, format="json")
    assert bad_key.status_code == 400 and "key" in bad_key.json()
    unknown = ana.post(
        "/api/strategies/saved/",
        {"key": "hma-sma", "name": "x", "params": {"foo": 1}},
        format="json",
    )
    assert unknown.status_code == 400 and unknown.json()["params"] == {"foo": "unknown parameter"}
    ana.post("/api/strategies/saved/", {"key": "hma-sma", "name": "dup"}, format="json")
    dup = ana.post("/api/strategies/saved/", {"key": "hma-sma", "name": "dup"}, format="json")
    assert dup.status_code == 400 and "name" in dup.json()


def test_saved_strategies_require_login(client):
    assert client.get("/api/strategies/saved/").status_code in (401, 403)


def test_no_nan_leaks_into_json(client, btc):
    raw = run(client, timeframe="1h", start="2024-01-01", limit=50).content
    assert b"NaN" not in raw and b"null" in raw
    assert np.isfinite(
        [c["close"] for c in run(client, timeframe="1h", limit=5).json()["candles"]]
    ).all()


def test_windowed_run_equals_the_whole_series_computation(client, btc, btc_5m_candles):
    # The endpoint loads only the warm-up it needs; its values must be those of the full series.
    from apps.strategies.signals import hma_sma_signals

    whole = hma_sma_signals(
        btc_5m_candles,
        base_timeframe="5m",
        higher={"1h": None, "4h": None},
        sma_period=200,
        hma_period=200,
    )
    body = run(client, timeframe="5m", start="2024-06-10", limit=600).json()
    assert body["warmup_complete"] is True
    first = int(np.flatnonzero(btc_5m_candles.open_time // 1000 == body["candles"][0]["time"])[0])
    window = slice(first, first + 600)
    assert [t["long"] for t in body["timeline"]] == whole.long.setup[window].tolist()
    assert [t["short"] for t in body["timeline"]] == whole.short.setup[window].tolist()
    np.testing.assert_allclose(body["hma"]["4h"], whole.hma["4h"][window], rtol=1e-12)
    np.testing.assert_allclose(body["hma"]["1h"], whole.hma["1h"][window], rtol=1e-12)
    np.testing.assert_allclose(body["sma"], whole.sma[window], rtol=1e-12)
    expected = [
        (int(btc_5m_candles.open_time[i]) // 1000, side)
        for side, flags in (("long", whole.long_entry), ("short", whole.short_entry))
        for i in np.flatnonzero(flags[window]) + first
    ]
    assert sorted((e["bar_time"], e["side"]) for e in body["entries"]) == sorted(expected)


def test_cached_runs_follow_new_candles(
    client, btc, btc_5m_candles, settings, django_capture_on_commit_callbacks
):
    # Responses are reused while the candles are unchanged, never after a write.
    from django.core.cache import cache

    settings.STRATEGY_RUN_CACHE_SECONDS = 60
    cache.clear()
    query = {"timeframe": "5m", "end": "2024-09-06T04:40", "limit": 100}
    first = run(client, **query).json()
    assert run(client, **query).json() == first
    revised = btc_5m_candles.rows()[-1:].copy()
    revised[0, 4] = revised[0, 2]  # the exchange revised the last close (up to the high)
    with django_capture_on_commit_callbacks(execute=True):
        candles_upsert(symbol=btc, timeframe="5m", rows=revised)
    after = run(client, **query).json()
    assert after["candles"][-1]["close"] == revised[0, 4] != first["candles"][-1]["close"]


def test_every_strategy_answers_exactly_the_documented_response(client, btc):
    """The schema (and the generated front-end types) name every key a strategy sends: a new
    strategy's lines must be declared on StrategyRunResponseSerializer."""
    from apps.strategies.registry import strategy_specs
    from apps.strategies.serializers import StrategyRunResponseSerializer

    fields = StrategyRunResponseSerializer().fields
    required = {name for name, field in fields.items() if field.required}
    for spec in strategy_specs():
        body = client.get(
            f"/api/strategies/{spec.key}/run/",
            {"symbol": "BTCUSDT", "timeframe": "1h", "limit": 50},
        ).json()
        assert set(body) <= set(fields), f"{spec.key}: undocumented {set(body) - set(fields)}"
        assert required <= set(body), f"{spec.key}: missing {required - set(body)}"


def test_compiling_a_strategy_has_its_own_budget_per_user(monkeypatch, ana, bob):
    """Validate, save and new versions share one per-user rate (THROTTLE_STRATEGY_COMPILE)."""
    from django.core.cache import caches
    from rest_framework.throttling import SimpleRateThrottle

    caches["throttle"].clear()
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "strategy-compile": "3/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    url = "/api/strategies/definitions/validate/"
    body = {"source": "long_entry = crosses_above(close, sma(close, 20))"}
    for _ in range(3):
        assert ana.post(url, body, format="json").status_code == 200
    throttled = ana.post(url, body, format="json")
    assert throttled.status_code == 429 and "Retry-After" in throttled
    assert bob.post(url, body, format="json").status_code == 200  # per user
    assert ana.get("/api/strategies/catalog/").status_code == 200  # only compiling counts
    caches["throttle"].clear()


def test_above_the_base_timeframe_the_base_sma_is_given_as_at_each_close(client, btc):
    hourly = run(client, timeframe="1h", limit=50).json()
    last = hourly["candles"][-1]["time"]
    five = run(client, timeframe="5m", end=last + 55 * 60, limit=600).json()
    five_sma = {c["time"]: v for c, v in zip(five["candles"], five["sma"], strict=True)}
    base_sma = hourly["base_indicators"]["sma"]
    assert len(base_sma) == 50
    for candle, value in zip(hourly["candles"], base_sma, strict=True):
        # The 5m bar closing with the hour opens 55 minutes after it.
        assert value == pytest.approx(five_sma[candle["time"] + 55 * 60])
    assert base_sma != pytest.approx(hourly["sma"])  # not the SMA of the 1h closes
    assert "base_indicators" not in five  # at the base timeframe it is the shown line itself
