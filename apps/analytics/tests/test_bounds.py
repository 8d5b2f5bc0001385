"""Bounded work: time fields in range (400 naming the field, never a 500), a backtest's span
clipped to the stored candles, per-user quotas on active runs and sweep size."""

from __future__ import annotations

import pytest

from apps.analytics.models import BacktestRun, BacktestStatus
from apps.datafeeds.models import CandleSeries

pytestmark = pytest.mark.django_db

RUNS = "/api/analytics/backtests/"
SWEEPS = "/api/analytics/backtests/sweeps/"
HUGE = ["99999999999999999999", "9223372036854775808", "0001-01-01", "9999-12-31"]


def post(client, url, **body):
    return client.post(url, {"strategy": "hma-sma", "symbol": "BTCUSDT", **body}, format="json")


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["start", "end"])
def test_out_of_range_times_are_400_naming_the_field_on_creation(client, btc_symbol, field, value):
    span = {"start": "2024-04-01", "end": "2024-05-01", field: value}
    for url, extra in ((RUNS, {}), (SWEEPS, {"grid": {"sma_period": [50, 100]}})):
        response = post(client, url, **span, **extra)
        assert response.status_code == 400, response.content
        assert "between 1970-01-01 and 2100-01-01" in response.json()[field][0]
    assert not BacktestRun.objects.exists()


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "0", "abc"])
def test_the_sweep_filter_is_validated(client, value):
    response = client.get(RUNS, {"sweep": value})
    assert response.status_code == 400 and "sweep" in response.json()


def test_a_huge_offset_is_an_empty_page_not_an_error(client):
    response = client.get(RUNS, {"offset": "99999999999999999999999"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_the_span_is_clipped_to_the_stored_candles(client, btc):
    stored = CandleSeries.objects.get(symbol=btc, timeframe="5m")
    response = post(client, RUNS, start="1970-01-01", end="2099-12-31")
    assert response.status_code == 202
    run = BacktestRun.objects.get(pk=response.json()["id"])
    assert run.start_ms == stored.first_open_time
    assert run.end_ms == stored.last_open_time + 5 * 60_000  # the last candle's close
    inside = post(client, RUNS, start="2024-04-01", end="2024-05-01").json()
    assert (inside["start"], inside["end"]) == (1711929600, 1714521600)  # unchanged


def test_active_runs_are_limited_per_user(client, btc_symbol, bob, settings):
    settings.BACKTEST_MAX_ACTIVE_RUNS = 3
    for _ in range(3):
        assert post(client, RUNS, start="2024-04-01", end="2024-05-01").status_code == 202
    refused = post(client, RUNS, start="2024-04-01", end="2024-05-01")
    assert refused.status_code == 429
    assert refused.json()["detail"] == (
        "You have 3 backtests queued or running and asked for 1 more; the limit is 3 per user. "
        "Wait for some to finish, or delete them."
    )
    sweep = post(client, SWEEPS, start="2024-04-01", end="2024-05-01", grid={"sma_period": [50]})
    assert sweep.status_code == 429
    assert BacktestRun.objects.count() == 3

    # another user has their own quota; finished runs do not count
    from rest_framework.test import APIClient

    bobs = APIClient()
    bobs.force_authenticate(bob)
    assert post(bobs, RUNS, start="2024-04-01", end="2024-05-01").status_code == 202
    BacktestRun.objects.filter(owner__username="ana").update(status=BacktestStatus.DONE)
    grid = {"sma_period": [50, 100, 150]}
    assert post(client, SWEEPS, start="2024-04-01", end="2024-05-01", grid=grid).status_code == 202
    assert post(client, RUNS, start="2024-04-01", end="2024-05-01").status_code == 429


def test_the_sweep_size_comes_from_the_settings(client, btc_symbol, settings):
    settings.BACKTEST_MAX_SWEEP_RUNS = 4
    grid = {"sma_period": [50, 100, 150], "hma_period": [50, 100]}
    response = post(client, SWEEPS, start="2024-04-01", end="2024-05-01", grid=grid)
    assert response.status_code == 400
    assert response.json()["grid"] == "6 combinations; a sweep runs at most 4"
    assert not BacktestRun.objects.exists()
