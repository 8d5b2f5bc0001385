"""The backtest API over real BTC/USDT candles; runs are executed in-process."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.analytics.models import BacktestRun, BacktestTrade
from apps.analytics.services import backtest_run_create, backtest_run_execute
from apps.datafeeds.times import parse_time_ms

pytestmark = pytest.mark.django_db

RUNS = "/api/analytics/backtests/"
SWEEPS = "/api/analytics/backtests/sweeps/"
APRIL = {"symbol": "BTCUSDT", "start": "2024-04-01", "end": "2024-05-01"}


def post(client, url, **body):
    return client.post(url, body, format="json")


def execute_all() -> None:
    for run_id in BacktestRun.objects.values_list("pk", flat=True):
        backtest_run_execute(run_id=run_id)


@pytest.fixture
def done_run(client, btc) -> dict:
    created = post(client, RUNS, strategy="hma-sma", stop_loss=0.015, take_profit=0.03, **APRIL)
    backtest_run_execute(run_id=created.json()["id"])
    return client.get(f"{RUNS}{created.json()['id']}/").json()


def test_create_answers_202_with_the_queued_run(client, btc_symbol):
    response = post(
        client, RUNS, strategy="hma-sma", params={"sma_period": 100}, fee_rate=0.00075, **APRIL
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["progress"] == 0 and body["kpis"] is None
    assert body["params"] == {"sma_period": 100, "hma_period": 200}
    assert (body["symbol"], body["exchange"], body["timeframe"]) == ("BTCUSDT", "binance", "5m")
    assert body["start"] == parse_time_ms("2024-04-01") // 1000  # epoch seconds
    assert body["end"] == parse_time_ms("2024-05-01") // 1000
    assert (body["fee_rate"], body["slippage_bps"], body["allow_short"]) == (0.00075, 0.0, True)
    assert BacktestRun.objects.get(pk=body["id"]).start_ms == parse_time_ms("2024-04-01")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"params": {"sma_period": 1}}, "params"),
        ({"params": {"bogus": 1}}, "params"),
        ({"params": [1, 2]}, "params"),
        ({"fee_rate": 0.5}, "fee_rate"),
        ({"size": 0}, "size"),
        ({"stop_loss": 1.5}, "stop_loss"),
        ({"slippage_bps": "lots"}, "slippage_bps"),
        ({"strategy": "nope"}, "strategy"),
        ({"start": "yesterday"}, "start"),
        ({"end": "2024-03-01"}, "end"),
    ],
)
def test_a_bad_field_is_400_naming_it(client, btc_symbol, change, field):
    body = {"strategy": "hma-sma", **APRIL, **change}
    response = post(client, RUNS, **body)
    assert response.status_code == 400, response.json()
    assert field in response.json()
    if change.get("params") == {"sma_period": 1}:
        assert "sma_period" in response.json()["params"]
    assert not BacktestRun.objects.exists()


def test_missing_fields_are_400_naming_them(client, btc_symbol):
    body = post(client, RUNS, symbol="BTCUSDT").json()
    assert {"strategy", "start", "end"} <= set(body)


def test_unknown_symbol_is_404(client, btc_symbol):
    response = post(client, RUNS, strategy="hma-sma", **{**APRIL, "symbol": "NOPE"})
    assert response.status_code == 404
    assert "NOPE" in response.json()["detail"]


def test_anonymous_requests_are_refused(btc_symbol, ana):
    run = backtest_run_create(
        owner=ana, strategy="hma-sma", symbol=btc_symbol, start_ms=0, end_ms=1
    )
    anonymous = APIClient()
    for method, url in [
        ("get", RUNS),
        ("post", RUNS),
        ("get", f"{RUNS}{run.pk}/"),
        ("delete", f"{RUNS}{run.pk}/"),
        ("get", f"{RUNS}{run.pk}/equity/"),
        ("post", SWEEPS),
    ]:
        assert getattr(anonymous, method)(url).status_code in (401, 403), (method, url)


def test_a_done_run_shows_its_kpis_trades_and_equity(client, done_run):
    assert done_run["status"] == "done" and done_run["progress"] == 1.0
    assert done_run["attempts"] == 1 and done_run["finished_at"] is not None
    kpis = done_run["kpis"]
    assert kpis["number_of_trades"] > 10 and kpis["sharpe"] is not None
    trades = client.get(f"{RUNS}{done_run['id']}/trades/").json()
    assert len(trades) == kpis["number_of_trades"]
    assert [t["number"] for t in trades] == list(range(len(trades)))
    assert sum(t["pnl"] for t in trades) == pytest.approx(kpis["net_profit"])
    assert {t["exit_reason"] for t in trades} <= {"signal", "stop_loss", "take_profit", "end"}
    first = trades[0]
    assert done_run["start"] <= first["entry_time"] < first["exit_time"] <= done_run["end"]

    full = client.get(f"{RUNS}{done_run['id']}/equity/").json()
    assert full["total"] == full["points"] == done_run["bars"] == 30 * 288
    assert full["equity"][0]["time"] == done_run["start"]
    assert full["equity"][-1]["value"] == pytest.approx(kpis["final_equity"])


def test_equity_is_downsampled_on_request_keeping_extremes(client, done_run):
    url = f"{RUNS}{done_run['id']}/equity/"
    full = [p["value"] for p in client.get(url).json()["equity"]]
    body = client.get(url, {"points": 500}).json()
    assert body["total"] == len(full) and body["points"] == len(body["equity"]) <= 500
    values = [p["value"] for p in body["equity"]]
    times = [p["time"] for p in body["equity"]]
    assert times == sorted(set(times))  # strictly ascending: what a chart series needs
    assert min(values) == min(full) and max(values) == max(full)
    assert values[0] == full[0] and values[-1] == full[-1]
    assert "points" in client.get(url, {"points": 2}).json()


def test_monthly_returns_chain_to_the_runs_total_return(client, done_run):
    body = client.get(f"{RUNS}{done_run['id']}/monthly-returns/").json()
    assert (body["run"], body["status"]) == (done_run["id"], "done")
    # April 2024 (the span's last bar opens on April 30th at 23:55).
    assert [m["period"] for m in body["months"]] == ["2024-04"]
    assert [y["period"] for y in body["years"]] == ["2024"]
    total = done_run["kpis"]["total_return"]
    assert body["months"][0]["return_fraction"] == pytest.approx(total)
    assert body["years"][0]["return_fraction"] == pytest.approx(total)


def test_a_queued_run_has_no_trades_or_equity_yet(client, btc_symbol):
    run_id = post(client, RUNS, strategy="hma-sma", **APRIL).json()["id"]
    assert client.get(f"{RUNS}{run_id}/trades/").json() == []
    body = client.get(f"{RUNS}{run_id}/equity/").json()
    assert (body["status"], body["total"], body["equity"]) == ("queued", 0, [])
    body = client.get(f"{RUNS}{run_id}/monthly-returns/").json()
    assert (body["status"], body["months"], body["years"]) == ("queued", [], [])


def test_others_runs_are_404_and_not_listed(client, btc_symbol, bob):
    theirs = backtest_run_create(
        owner=bob, strategy="hma-sma", symbol=btc_symbol, start_ms=0, end_ms=1
    )
    mine = post(client, RUNS, strategy="hma-sma", **APRIL).json()
    for suffix in ("", "trades/", "equity/", "monthly-returns/"):
        assert client.get(f"{RUNS}{theirs.pk}/{suffix}").status_code == 404
    assert client.delete(f"{RUNS}{theirs.pk}/").status_code == 404
    assert BacktestRun.objects.filter(pk=theirs.pk).exists()
    listed = client.get(RUNS).json()
    assert listed["count"] == 1 and [r["id"] for r in listed["results"]] == [mine["id"]]


def test_delete_removes_the_run_and_its_trades(client, done_run):
    url = f"{RUNS}{done_run['id']}/"
    assert BacktestTrade.objects.filter(run_id=done_run["id"]).exists()
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert not BacktestTrade.objects.filter(run_id=done_run["id"]).exists()


def test_sweep_fans_out_and_sorts_its_results_by_a_kpi(client, btc, bob):
    created = post(
        client,
        SWEEPS,
        strategy="ema-cross",
        grid={"fast_period": [6, 12, 24], "slow_period": [12, 48]},
        **{**APRIL, "start": "2024-04-20"},
    )
    assert created.status_code == 202, created.json()
    sweep = created.json()
    assert sweep["status"] == "queued" and sweep["counts"]["queued"] == len(sweep["runs"]) == 4
    assert [s["params"] for s in sweep["skipped"]] == [
        {"fast_period": 12, "slow_period": 12},
        {"fast_period": 24, "slow_period": 12},
    ]
    execute_all()

    url = f"{SWEEPS}{sweep['id']}/"
    best_first = client.get(url, {"order": "-sharpe"}).json()
    assert best_first["status"] == "done" and best_first["counts"]["done"] == 4
    sharpes = [r["kpis"]["sharpe"] for r in best_first["runs"]]
    assert sharpes == sorted(sharpes, reverse=True) and len(set(sharpes)) == 4
    fewest_trades_first = client.get(url, {"order": "number_of_trades"}).json()["runs"]
    trades = [r["kpis"]["number_of_trades"] for r in fewest_trades_first]
    assert trades == sorted(trades) and trades[0] < trades[-1]
    assert "order" in client.get(url, {"order": "-luck"}).json()
    listed = client.get(RUNS, {"sweep": sweep["id"]}).json()
    assert listed["count"] == 4

    other = APIClient()
    other.force_authenticate(bob)
    assert other.get(url).status_code == 404


def test_sweeps_are_listed_with_their_counts_and_best_return_and_runs_apart(client, btc, bob):
    single = post(client, RUNS, strategy="ema-cross", **{**APRIL, "start": "2024-04-25"}).json()
    sweep = post(
        client,
        SWEEPS,
        strategy="ema-cross",
        grid={"fast_period": [6, 12]},
        **{**APRIL, "start": "2024-04-25"},
    ).json()
    queued = client.get(SWEEPS).json()
    assert queued["count"] == 1
    listed = queued["results"][0]
    assert (listed["id"], listed["strategy"], listed["symbol"]) == (
        sweep["id"],
        "ema-cross",
        "BTCUSDT",
    )
    assert listed["counts"] == {"queued": 2, "running": 0, "done": 0, "failed": 0}
    assert listed["best_total_return"] is None and listed["strategy_name"]
    execute_all()

    done = client.get(SWEEPS).json()["results"][0]
    assert done["counts"]["done"] == 2
    returns = [
        r["kpis"]["total_return"] for r in client.get(f"{SWEEPS}{sweep['id']}/").json()["runs"]
    ]
    assert done["best_total_return"] == pytest.approx(max(returns))
    # The runs list without the sweep's runs: the single run alone; with them, all three.
    alone = client.get(RUNS, {"standalone": "true"}).json()
    assert [r["id"] for r in alone["results"]] == [single["id"]]
    assert client.get(RUNS).json()["count"] == 3
    assert "standalone" in client.get(RUNS, {"standalone": "maybe"}).json()

    other = APIClient()
    other.force_authenticate(bob)
    assert other.get(SWEEPS).json()["results"] == []


def test_a_sweep_over_the_cap_is_400_naming_the_grid(client, btc_symbol):
    response = post(
        client,
        SWEEPS,
        strategy="hma-sma",
        grid={"sma_period": list(range(2, 102)), "hma_period": [10, 20, 30]},
        **APRIL,
    )
    assert response.status_code == 400
    assert "300 combinations; a sweep runs at most 200" in str(response.json()["grid"])
    bad = post(client, SWEEPS, strategy="hma-sma", grid={"sma_period": [1]}, **APRIL)
    assert bad.status_code == 400 and "sma_period" in bad.json()["grid"]
    assert "grid" in post(client, SWEEPS, strategy="hma-sma", grid=[1], **APRIL).json()


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in [
        "/api/analytics/backtests/",
        "/api/analytics/backtests/{id}/",
        "/api/analytics/backtests/{id}/trades/",
        "/api/analytics/backtests/{id}/equity/",
        "/api/analytics/backtests/sweeps/",
        "/api/analytics/backtests/sweeps/{id}/",
    ]:
        assert path in paths, path
    assert "202" in paths["/api/analytics/backtests/"]["post"]["responses"]
