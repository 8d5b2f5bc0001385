"""A run's candle chart: the span's candles as columns, the strategy's lines as the run endpoint
computes them, buy-and-hold; the owner's only."""

from __future__ import annotations

import pytest

from apps.analytics.services import backtest_run_execute
from apps.datafeeds.models import Candle

pytestmark = pytest.mark.django_db

RUNS = "/api/analytics/backtests/"
APRIL = {"symbol": "BTCUSDT", "start": "2024-04-01", "end": "2024-05-01"}


@pytest.fixture
def run(client, btc) -> dict:
    created = client.post(RUNS, {"strategy": "hma-sma", **APRIL}, format="json").json()
    backtest_run_execute(run_id=created["id"])
    return client.get(f"{RUNS}{created['id']}/").json()


def test_the_chart_holds_every_candle_of_the_span_as_columns(client, run):
    body = client.get(f"{RUNS}{run['id']}/chart/").json()
    candles = body["candles"]
    assert (body["symbol"], body["exchange"], body["timeframe"]) == ("BTCUSDT", "binance", "5m")
    assert body["truncated"] is False
    assert len(candles["time"]) == run["bars"] == 30 * 288
    assert {len(column) for column in candles.values()} == {run["bars"]}
    assert candles["time"][0] == run["start"] and candles["time"][-1] == run["end"] - 300
    assert all(
        h >= max(o, c)
        for h, o, c in zip(candles["high"], candles["open"], candles["close"], strict=True)
    )


def test_the_lines_are_the_run_endpoints_lines_on_the_same_candles(client, run):
    chart = client.get(f"{RUNS}{run['id']}/chart/").json()
    shown = client.get(
        "/api/strategies/hma-sma/run/",
        {"symbol": "BTCUSDT", "timeframe": "5m", "end": run["end"] - 300, "limit": 1000},
    ).json()
    assert [c["time"] for c in shown["candles"]] == chart["candles"]["time"][-1000:]
    assert set(chart["lines"]) == {"sma", "hma 1h", "hma 4h"}
    assert chart["lines"]["sma"][-1000:] == pytest.approx(shown["sma"])
    for timeframe in ("1h", "4h"):
        assert chart["lines"][f"hma {timeframe}"][-1000:] == pytest.approx(shown["hma"][timeframe])


def test_buy_and_hold_buys_at_the_first_open_and_marks_at_each_close(client, run):
    chart = client.get(f"{RUNS}{run['id']}/chart/").json()
    candles, held = chart["candles"], chart["buy_and_hold"]
    units = 10_000 * (1 - run["fee_rate"]) / candles["open"][0]
    assert len(held) == len(candles["close"])
    assert held[0] == pytest.approx(units * candles["close"][0])
    assert held[-1] == pytest.approx(units * candles["close"][-1])


def test_another_users_run_is_404(bob_client, run):
    assert bob_client.get(f"{RUNS}{run['id']}/chart/").status_code == 404


def test_a_span_without_candles_any_more_is_404_naming_the_timeframe(client, run):
    Candle.objects.filter(timeframe="5m").delete()
    response = client.get(f"{RUNS}{run['id']}/chart/")
    assert response.status_code == 404
    assert response.json()["field"] == "timeframe"
