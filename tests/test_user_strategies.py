"""Users' own strategies end to end through the API: saved in versions, owner only, and taken by
the run endpoint, backtests and paper bots exactly as a built-in (no special case).

The built-ins rewritten in the language (apps/strategies/library/*.strategy) give the very
same signals and the very same backtest trades on the real BTC/USDT candles.
"""

from __future__ import annotations

import numpy as np
import pytest

from apps.analytics.models import BacktestRun, BacktestTrade
from apps.analytics.services import backtest_run_execute
from apps.datafeeds.storage import candles_upsert
from apps.datafeeds.times import parse_time_ms
from apps.execution.models import Bot, BotStatus
from apps.execution.services.forward import bot_forward_test
from apps.strategies.language.reference import builtin_source
from apps.strategies.registry import strategy_spec

pytestmark = pytest.mark.django_db

DEFINITIONS = "/api/strategies/definitions/"
RUNS = "/api/analytics/backtests/"
BOTS = "/api/execution/bots/"
EMA_SOURCE = """# my EMA cross
param fast = 12 in 2..50   # fast EMA
param slow = 26 in 3..200
long_entry = crosses_above(ema(close, fast), ema(close, slow))
long_exit = crosses_below(ema(close, fast), ema(close, slow))
stop_loss = 2%
"""
MAY = {"start": "2024-05-01", "end": "2024-05-15"}


@pytest.fixture
def btc(btc_symbol, btc_5m_candles, btc_1h_candles, btc_4h_candles):
    for timeframe, candles in (("5m", btc_5m_candles), ("1h", btc_1h_candles)):
        candles_upsert(symbol=btc_symbol, timeframe=timeframe, rows=candles.rows())
    candles_upsert(symbol=btc_symbol, timeframe="4h", rows=btc_4h_candles.rows())
    return btc_symbol


def create(client, name="EMA mine", source=EMA_SOURCE):
    response = client.post(DEFINITIONS, {"name": name, "source": source}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def backtest(client, strategy: str, **body) -> BacktestRun:
    response = client.post(
        RUNS, {"strategy": strategy, "symbol": "BTCUSDT", **MAY, **body}, format="json"
    )
    assert response.status_code == 202, response.json()
    backtest_run_execute(run_id=response.json()["id"])
    return BacktestRun.objects.get(pk=response.json()["id"])


def trades_of(run: BacktestRun) -> list[tuple]:
    return list(
        BacktestTrade.objects.filter(run=run)
        .order_by("number")
        .values_list(
            "side", "entry_time", "exit_time", "entry_price", "exit_price", "exit_reason", "pnl"
        )
    )


def test_save_read_and_check(ana_client, btc):
    body = create(ana_client)
    assert body["version"] == 1 and body["key"] == f"user-{body['id']}-v1"
    assert body["schema"]["params"][0]["description"] == "fast EMA"
    assert body["schema"]["stops"] == {"stop_loss": 0.02}
    assert body["check"]["ok"] is True, body["check"]
    assert "BTCUSDT" in body["check"]["data"]
    assert ana_client.get(f"{DEFINITIONS}{body['id']}/").json()["source"] == EMA_SOURCE
    catalog = {e["key"]: e for e in ana_client.get("/api/strategies/catalog/").json()}
    assert catalog[body["key"]]["source"] == "user"
    assert catalog[body["key"]]["name"] == "EMA mine (v1)"
    assert catalog["hma-sma"]["source"] == "builtin"


def test_a_text_that_does_not_compile_is_400_with_its_place_and_nothing_stored(ana_client):
    bad = "param fast = 12 in 2..50\nlong_entry = rsi(14) > 70\n"
    for url in (DEFINITIONS, f"{DEFINITIONS}validate/"):
        response = ana_client.post(url, {"name": "x", "source": bad}, format="json")
        assert response.status_code == 400
        body = response.json()
        assert body["errors"] == [
            {
                "line": 2,
                "column": 14,
                "end_line": 2,
                "end_column": 21,
                "message": "rsi() takes a series and a period; got a number",
            }
        ]
        assert body["source"] == [
            "line 2, column 14: rsi() takes a series and a period; got a number"
        ]
    assert ana_client.get(DEFINITIONS).json() == []
    missing = ana_client.post(DEFINITIONS, {"name": "x"}, format="json")
    assert missing.status_code == 400 and "source" in missing.json()


def test_validate_answers_the_schema_without_saving(ana_client):
    response = ana_client.post(f"{DEFINITIONS}validate/", {"source": EMA_SOURCE}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["base_timeframe"] == "5m"
    assert [p["name"] for p in body["params"]] == ["fast", "slow"]
    assert ana_client.get(DEFINITIONS).json() == []


def test_an_edit_is_a_new_version_and_a_run_keeps_its_own(ana_client, btc):
    body = create(ana_client)
    v1 = body["key"]
    first = backtest(ana_client, v1)
    assert first.status == "done" and first.stop_loss == 0.02  # the strategy's own stop
    edited = ana_client.patch(
        f"{DEFINITIONS}{body['id']}/",
        {"source": EMA_SOURCE.replace("stop_loss = 2%", "stop_loss = 1%")},
        format="json",
    ).json()
    assert edited["version"] == 2 and edited["key"] == f"user-{body['id']}-v2"
    same = ana_client.patch(
        f"{DEFINITIONS}{body['id']}/", {"name": "renamed"}, format="json"
    ).json()
    assert same["version"] == 2 and same["name"] == "renamed"
    versions = ana_client.get(f"{DEFINITIONS}{body['id']}/versions/").json()
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["source"] == EMA_SOURCE
    # The first run still names and computes version 1.
    shown = ana_client.get(f"{RUNS}{first.pk}/").json()
    assert (shown["strategy"], shown["strategy_name"]) == (v1, "renamed (v1)")
    assert strategy_spec(v1).stops == {"stop_loss": 0.02}
    second = backtest(ana_client, edited["key"], stop_loss=0.05)
    assert second.stop_loss == 0.05  # the run's own setting overrides the strategy's


def test_a_sweep_and_a_saved_parameter_set_take_its_key_and_params(ana_client, bob_client, btc):
    key = create(ana_client)["key"]
    sweep = ana_client.post(
        f"{RUNS}sweeps/",
        {"strategy": key, "symbol": "BTCUSDT", **MAY, "grid": {"fast": [5, 8], "slow": [30]}},
        format="json",
    )
    assert sweep.status_code == 202, sweep.json()
    assert len(sweep.json()["runs"]) == 2
    bad = ana_client.post(
        f"{RUNS}sweeps/",
        {"strategy": key, "symbol": "BTCUSDT", **MAY, "grid": {"fast": [500]}},
        format="json",
    )
    assert bad.status_code == 400 and "fast" in str(bad.json()["grid"])
    saved = ana_client.post(
        "/api/strategies/saved/",
        {"key": key, "name": "quick", "params": {"fast": 8}},
        format="json",
    )
    assert saved.status_code == 201 and saved.json()["params"] == {"fast": 8, "slow": 26}
    theirs = bob_client.post(
        "/api/strategies/saved/", {"key": key, "name": "stolen", "params": {}}, format="json"
    )
    assert theirs.status_code == 400 and "Unknown strategy" in theirs.json()["key"][0]


def test_another_users_key_is_unknown_everywhere(ana_client, bob_client, btc):
    key = create(ana_client)["key"]
    run = bob_client.post(RUNS, {"strategy": key, "symbol": "BTCUSDT", **MAY}, format="json")
    assert run.status_code == 400 and "Unknown strategy" in run.json()["strategy"]
    bot = bob_client.post(BOTS, {"name": "b", "strategy": key, "symbol": "BTCUSDT"}, format="json")
    assert bot.status_code == 400 and "Unknown strategy" in bot.json()["strategy"]
    assert bob_client.get(f"/api/strategies/{key}/run/", {"symbol": "BTCUSDT"}).status_code == 404
    assert not BacktestRun.objects.filter(strategy=key).exists()


def test_the_run_endpoint_draws_a_users_strategy_for_its_owner(ana_client, btc):
    key = create(
        ana_client, source="fast = ema(close, 9)\nlong_entry = crosses_above(close, fast)"
    )["key"]
    response = ana_client.get(
        f"/api/strategies/{key}/run/", {"symbol": "BTCUSDT", "timeframe": "1h", "limit": 200}
    )
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    body = response.json()
    assert body["strategy"] == key and len(body["lines"]["fast"]) == 200
    assert body["entries"] and all(e["side"] == "long" for e in body["entries"])


def test_a_paper_bot_runs_it_and_holds_it_against_deletion(ana_client, btc):
    body = create(ana_client)
    bot = ana_client.post(
        BOTS, {"name": "mine", "strategy": body["key"], "symbol": "BTCUSDT"}, format="json"
    )
    assert bot.status_code == 201, bot.json()
    assert bot.json()["stop_loss"] == 0.02
    assert bot.json()["strategy_name"] == "EMA mine (v1)"
    bot_id = bot.json()["id"]
    assert ana_client.post(f"{BOTS}{bot_id}/start/").status_code == 200
    refused = ana_client.delete(f"{DEFINITIONS}{body['id']}/")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"bot 'mine' (id {bot_id}) is running with this strategy: stop it first."
    )
    assert ana_client.post(f"{BOTS}{bot_id}/stop/", {}, format="json").status_code == 200
    assert ana_client.delete(f"{DEFINITIONS}{body['id']}/").status_code == 204
    assert ana_client.get(f"{DEFINITIONS}{body['id']}/").status_code == 404
    # The bot keeps reading its version; a new bot cannot take a deleted strategy.
    assert Bot.objects.get(pk=bot_id).status == BotStatus.STOPPED
    assert strategy_spec(body["key"]).key == body["key"]
    again = ana_client.post(
        BOTS, {"name": "again", "strategy": body["key"], "symbol": "BTCUSDT"}, format="json"
    )
    assert again.status_code == 400


@pytest.mark.parametrize(
    ("builtin", "params"),
    [("ema-cross", {}), ("hma-sma", {}), ("hma-sma", {"sma_period": 50, "hma_period": 30})],
)
def test_the_builtins_written_in_the_language_are_identical(
    ana_client, btc, btc_5m_candles, builtin, params
):
    key = create(ana_client, name=builtin, source=builtin_source(builtin))["key"]
    mine, theirs = strategy_spec(key), strategy_spec(builtin)
    values = theirs.validate_params(params)
    assert mine.validate_params(params) == values
    assert mine.base_warmup(values) == theirs.base_warmup(values)
    assert mine.context_warmup(values) == theirs.context_warmup(values)
    ours = mine.compute(btc_5m_candles, {"1h": None, "4h": None}, values)
    reference = theirs.compute(btc_5m_candles, {"1h": None, "4h": None}, values)
    for name in ("long_setup", "short_setup", "long_entry", "short_entry", "long_exit"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(reference, name), name)
    assert reference.long_entry.sum() > 50  # real signals, not two empty arrays
    runs = [backtest(ana_client, k, params=params) for k in (key, builtin)]
    assert runs[0].status == runs[1].status == "done"
    assert trades_of(runs[0]) == trades_of(runs[1])
    assert len(trades_of(runs[1])) > 5


def test_a_forward_test_of_a_users_strategy_equals_its_backtest(ana, ana_client, btc):
    from apps.execution.services.bots import bot_create

    key = create(ana_client)["key"]
    bot = bot_create(owner=ana, name="fwd", strategy=key, symbol=btc, params={})
    report = bot_forward_test(
        bot=bot, start_ms=parse_time_ms("2024-05-01"), end_ms=parse_time_ms("2024-05-03")
    )
    assert report.reconciliation.identical, report.reconciliation.summary
    assert report.steps > 500
