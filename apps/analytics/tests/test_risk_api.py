"""Backtests with a risk profile through the API and the services, over real BTC/USDT candles:
the profile is copied onto the run, the worker applies it, and the run reports what it blocked."""

from __future__ import annotations

import pytest

from apps.analytics.models import BacktestRun, BacktestSweep
from apps.analytics.services import backtest_run_execute
from apps.risk.services import risk_profile_create, risk_profile_delete, risk_profile_update

from .expected import assert_stored_equals, engine_on_file_candles

pytestmark = pytest.mark.django_db

RUNS = "/api/analytics/backtests/"
SWEEPS = "/api/analytics/backtests/sweeps/"
MARCH = {"symbol": "BTCUSDT", "start": "2024-03-01", "end": "2024-04-01"}
VALUES = {
    "risk_per_trade": 0.01,
    "max_position_fraction": 1.0,
    "stop_loss": 0.01,
    "take_profit": 0.02,
    "max_daily_loss": 0.02,
    "max_drawdown": 0.1,
    "cooldown_bars": 12,
}


@pytest.fixture
def files(btc_5m_candles, btc_1h_candles, btc_4h_candles):
    return {"5m": btc_5m_candles, "1h": btc_1h_candles, "4h": btc_4h_candles}


@pytest.fixture
def profile(ana):
    return risk_profile_create(owner=ana, name="Tight", values=VALUES)


def post(client, url, **body):
    return client.post(url, body, format="json")


def test_a_run_with_a_profile_is_sized_and_blocked_by_it(client, btc, files, profile):
    # hma-sma on March 2024 (the 03-05 crash inside) with short stops and a 12-bar cooldown.
    created = post(client, RUNS, strategy="hma-sma", risk_profile=profile.pk, **MARCH)
    assert created.status_code == 202, created.json()
    body = created.json()
    assert body["risk_profile"] == profile.pk
    assert body["risk_limits"] == {"id": profile.pk, "name": "Tight", **VALUES, **LEFT}
    assert (body["stop_loss"], body["take_profit"]) == (0.01, 0.02)
    assert body["risk_report"] is None

    backtest_run_execute(run_id=body["id"])
    run = BacktestRun.objects.get(pk=body["id"])
    expected = engine_on_file_candles(run, files)
    assert len(expected.trades) > 10
    assert_stored_equals(run, expected)  # trades (their sizes too), KPIs, equity

    report = client.get(f"{RUNS}{run.pk}/").json()["risk_report"]
    assert report["blocked"] == expected.risk.blocked
    assert report["blocked"].get("cooldown", 0) > 0
    assert report["blocked_total"] == expected.risk.blocked_total
    assert set(report["examples"]) == set(report["blocked"])
    assert report["examples"]["cooldown"].startswith("cooldown: ")
    sizes = [t["size"] for t in client.get(f"{RUNS}{run.pk}/trades/").json()]
    assert report["sizes"] == {
        "min": min(sizes),
        "max": max(sizes),
        "mean": pytest.approx(sum(sizes) / len(sizes)),
    }
    assert sum(report["sized_by"].values()) == len(sizes)


LEFT = {"max_open_positions": 3, "leverage": 1}  # the defaults of the fields not given


def test_a_run_without_a_profile_reports_nothing(client, btc):
    created = post(client, RUNS, strategy="hma-sma", stop_loss=0.01, **MARCH).json()
    backtest_run_execute(run_id=created["id"])
    body = client.get(f"{RUNS}{created['id']}/").json()
    assert (body["risk_profile"], body["risk_limits"], body["risk_report"]) == (None, None, None)


def test_the_kill_switch_is_reported_with_its_reason(client, btc, ana):
    reckless = risk_profile_create(
        owner=ana,
        name="Reckless",
        values={"risk_per_trade": 0.1, "stop_loss": 0.02, "max_drawdown": 0.05},
    )
    created = post(client, RUNS, strategy="hma-sma", risk_profile=reckless.pk, **MARCH).json()
    backtest_run_execute(run_id=created["id"])
    body = client.get(f"{RUNS}{created['id']}/").json()
    kill = body["risk_report"]["kill_switch"]
    assert kill["reason"].startswith("drawdown kill switch: equity ")
    assert kill["reason"].endswith("(limit 5%)")
    assert body["kpis"]["max_drawdown"] >= 0.05
    trades = client.get(f"{RUNS}{created['id']}/trades/").json()
    assert all(t["entry_time"] <= kill["time"] for t in trades)
    # All-in longs (10% risk over a 2% stop is capped at the equity): on 2024-03-09 the trade
    # entered at 02:40 takes the equity 5% below its peak at that bar's close; it is closed at
    # the next open and the month's 82 remaining entry signals are refused.
    assert trades[-1]["exit_reason"] == "kill_switch"
    assert trades[-1]["exit_time"] == kill["time"] == 1_709_952_300
    assert body["risk_report"]["blocked"] == {"drawdown": 82}
    assert sum(body["risk_report"]["sized_by"].values()) == len(trades)


@pytest.mark.parametrize("field", ["size", "stop_loss", "take_profit"])
def test_a_profile_sets_size_stop_and_target_so_they_are_refused(client, btc, profile, field):
    response = post(
        client, RUNS, strategy="hma-sma", risk_profile=profile.pk, **MARCH, **{field: 0.5}
    )
    assert response.status_code == 400
    assert response.json() == {field: "set by the risk profile: leave it out"}


def test_someone_elses_profile_is_a_400_naming_it(client, bob_client_profile, btc_symbol):
    response = post(client, RUNS, strategy="hma-sma", risk_profile=bob_client_profile, **MARCH)
    assert response.status_code == 400
    assert response.json() == {"risk_profile": f"you have no risk profile {bob_client_profile}"}
    response = post(client, RUNS, strategy="hma-sma", risk_profile="cautious", **MARCH)
    assert response.status_code == 400 and "risk_profile" in response.json()
    assert not BacktestRun.objects.exists()


@pytest.fixture
def bob_client_profile(bob) -> int:
    return risk_profile_create(owner=bob, name="Bob's").pk


def test_editing_or_deleting_the_profile_leaves_the_run_as_it_was(client, btc_symbol, profile):
    created = post(client, RUNS, strategy="hma-sma", risk_profile=profile.pk, **MARCH).json()
    risk_profile_update(profile=profile, values={"stop_loss": 0.3})
    run = BacktestRun.objects.get(pk=created["id"])
    assert run.risk_limits["stop_loss"] == 0.01 and run.stop_loss == 0.01
    risk_profile_delete(profile=profile)
    run.refresh_from_db()
    assert run.risk_profile_id is None and run.risk_limits["name"] == "Tight"


def test_a_sweep_applies_the_profile_to_every_run(client, btc, files, profile):
    response = post(
        client,
        SWEEPS,
        strategy="hma-sma",
        risk_profile=profile.pk,
        grid={"sma_period": [100, 200]},
        **MARCH,
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["risk_profile"] == profile.pk and body["risk_limits"]["name"] == "Tight"
    assert (body["config"]["stop_loss"], body["config"]["take_profit"]) == (0.01, 0.02)
    sweep = BacktestSweep.objects.get(pk=body["id"])
    for run in sweep.runs.all():
        assert run.risk_limits == body["risk_limits"]
        backtest_run_execute(run_id=run.pk)
        assert_stored_equals(run, engine_on_file_candles(run, files))
    runs = client.get(f"{SWEEPS}{sweep.pk}/").json()["runs"]
    assert all(r["risk_report"] is not None for r in runs)
