"""The bots API: validation, owner-only access, start and stop, and what a bot shows."""

from __future__ import annotations

import re

import pytest

from apps.datafeeds.models import Symbol
from apps.execution.models import Bot, BotStatus
from apps.execution.services.forward import bot_forward_test

from .helpers import EMA, START, store_around

URL = "/api/execution/bots/"


@pytest.fixture
def btc_may(btc_symbol, btc_5m_candles):
    store_around(btc_symbol, btc_5m_candles, START)
    return btc_symbol


def create(client, **changes):
    body = {"name": "ema", "strategy": "ema-cross", "symbol": "BTCUSDT", "params": EMA, **changes}
    return client.post(URL, body, format="json")


def test_create_validates_parameters_costs_and_mode(client, btc_may):
    bad = create(client, params={"fast_period": 30, "slow_period": 26})
    assert bad.status_code == 400
    assert bad.json()["params"] == {"fast_period": "must be below slow_period"}
    bad = create(client, params={"fast_period": 1, "nope": 3})
    assert bad.status_code == 400
    assert set(bad.json()["params"]) == {"fast_period", "nope"}
    bad = create(client, fee_rate=0.5, strategy="ema-cross")
    assert bad.status_code == 400 and "fee_rate" in bad.json()
    bad = create(client, strategy="nope")
    assert bad.status_code == 400 and "Unknown strategy 'nope'" in bad.json()["strategy"]
    live = create(client, mode="live")
    assert live.status_code == 400
    assert live.json() == {"exchange_account": "a live bot needs one of your exchange accounts"}
    live = create(client, mode="live", allow_short=True)
    assert live.json()["allow_short"].startswith("live bots trade spot markets")
    live = create(client, mode="live", exchange_account=999)
    assert live.status_code == 400
    assert live.json() == {"exchange_account": "you have no exchange account 999"}
    paper = create(client, exchange_account=999)
    assert paper.status_code == 400 and "only live bots" in paper.json()["exchange_account"]
    assert not Bot.objects.exists()


def test_create_needs_the_candles_the_strategy_needs(client, btc_symbol, ana):
    missing = create(client)
    assert missing.status_code == 404
    body = missing.json()
    assert body["field"] == "symbol"
    assert "needs at least 131" in body["detail"]
    # Runnable as printed: a real date (the warm-up back from now), tracked for the bot.
    command = body["detail"].split("Fetch them: ", 1)[1]
    assert re.fullmatch(
        r"python manage\.py fetch_ohlcv BTCUSDT 5m --exchange binance "
        r"--since \d{4}-\d{2}-\d{2} --track",
        command,
    )
    unknown = create(client, symbol="NOPEUSDT")
    assert unknown.status_code == 404 and unknown.json()["field"] == "symbol"
    # An unknown symbol's hint names its assets, guessed from the usual quote currencies.
    assert "fetch_ohlcv NOPEUSDT 1h --base NOPE --quote USDT" in unknown.json()["detail"]


def test_a_created_bot_is_stopped_with_its_costs(client, btc_may):
    response = create(client, paper_capital=2500, slippage_bps=3, stop_loss=0.02)
    assert response.status_code == 201, response.json()
    bot = response.json()
    assert bot["status"] == "stopped" and bot["mode"] == "paper" and bot["timeframe"] == "5m"
    assert bot["params"] == EMA and bot["symbol"] == "BTCUSDT"
    assert float(bot["paper_capital"]) == 2500 and float(bot["equity"]) == 2500
    assert (bot["slippage_bps"], bot["stop_loss"], bot["position"]) == (3.0, 0.02, None)
    assert client.get(URL).json()[0]["id"] == bot["id"]


def test_another_users_bot_is_invisible(client, bob_client, btc_may):
    bot_id = create(client).json()["id"]
    assert bob_client.get(URL).json() == []
    for method, suffix in [
        ("get", ""),
        ("patch", ""),
        ("delete", ""),
        ("post", "start/"),
        ("post", "stop/"),
        ("get", "orders/"),
        ("get", "trades/"),
        ("get", "equity/"),
        ("get", "events/"),
        ("get", "reconciliation/"),
    ]:
        response = getattr(bob_client, method)(f"{URL}{bot_id}/{suffix}", {}, format="json")
        assert response.status_code == 404, (method, suffix)
        assert response.json() == {"detail": f"No bot {bot_id}."}
    assert Bot.objects.get(pk=bot_id).status == BotStatus.STOPPED
    assert client.get(f"{URL}{bot_id}/").status_code == 200


def test_anonymous_requests_are_refused(btc_may):
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code in (401, 403)


def test_start_stop_patch_and_delete(client, btc_may, django_capture_on_commit_callbacks):
    bot_id = create(client).json()["id"]
    with django_capture_on_commit_callbacks() as callbacks:
        started = client.post(f"{URL}{bot_id}/start/")
    assert started.status_code == 200 and started.json()["status"] == "running"
    assert started.json()["span_start"] is not None
    assert len(callbacks) >= 1  # the start task, sent after the commit
    assert client.post(f"{URL}{bot_id}/start/").status_code == 409
    assert (
        client.patch(f"{URL}{bot_id}/", {"params": {"fast_period": 5}}, format="json").status_code
        == 409
    )
    assert (
        client.patch(f"{URL}{bot_id}/", {"name": "renamed"}, format="json").json()["name"]
        == "renamed"
    )
    assert client.delete(f"{URL}{bot_id}/").status_code == 409
    bad = client.post(f"{URL}{bot_id}/stop/", {"close_position": "maybe"}, format="json")
    assert bad.status_code == 400 and "close_position" in bad.json()
    stopped = client.post(f"{URL}{bot_id}/stop/", {"close_position": False}, format="json")
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    changed = client.patch(f"{URL}{bot_id}/", {"params": {"fast_period": 5}}, format="json")
    assert changed.status_code == 200 and changed.json()["params"] == {
        "fast_period": 5,
        "slow_period": 26,
    }
    assert client.patch(f"{URL}{bot_id}/", {"mode": "live"}, format="json").status_code == 400
    events = client.get(f"{URL}{bot_id}/events/").json()
    assert [e["kind"] for e in events][:2] == ["status", "status"]
    assert client.delete(f"{URL}{bot_id}/").status_code == 204
    assert not Bot.objects.filter(pk=bot_id).exists()


def test_start_of_a_bot_whose_symbol_lost_its_candles(client, btc_may):
    bot_id = create(client).json()["id"]
    Symbol.objects.get(name="BTCUSDT").series.all().delete()
    response = client.post(f"{URL}{bot_id}/start/")
    assert response.status_code == 404
    assert "Fetch them: python manage.py fetch_ohlcv BTCUSDT 5m" in response.json()["detail"]
    assert Bot.objects.get(pk=bot_id).status == BotStatus.STOPPED


def test_orders_trades_equity_events_and_reconciliation(client, btc_may):
    bot_id = create(client, slippage_bps=2).json()["id"]
    bot = Bot.objects.select_related("symbol").get(pk=bot_id)
    report = bot_forward_test(bot=bot, start_ms=START, end_ms=START + 86_400_000)
    assert report.steps == 288
    trades = client.get(f"{URL}{bot_id}/trades/").json()
    assert len(trades) > 3
    first = trades[0]
    assert first["entry_order"].startswith(f"bt{bot_id}-") and first["entry_time"] % 300 == 0
    orders = client.get(f"{URL}{bot_id}/orders/").json()
    assert {o["state"] for o in orders} <= {"filled", "open"}
    equity = client.get(f"{URL}{bot_id}/equity/").json()
    assert equity["points"] == 288 and equity["equity"][0]["time"] == START // 1000
    kinds = {e["kind"] for e in client.get(f"{URL}{bot_id}/events/?limit=500").json()}
    assert {"status", "order", "fill", "position"} <= kinds
    assert client.get(f"{URL}{bot_id}/events/?limit=0").status_code == 400
    rec = client.get(f"{URL}{bot_id}/reconciliation/").json()
    assert rec["summary"]["identical"] is True
    assert rec["summary"]["matched"] == rec["summary"]["bot_trades"] >= len(trades)
    assert all(value == 0 for value in rec["summary"]["max_abs_difference"].values())
    assert rec["trades"][0]["differences"]["entry_time_ms"] == 0


def test_a_risk_profile_is_yours_sets_the_sizing_and_is_held_while_running(
    client, bob_client, ana, bob, btc_may
):
    from apps.risk.services import risk_profile_create

    mine = risk_profile_create(owner=ana, name="mine", values={"stop_loss": 0.02})
    theirs = risk_profile_create(owner=bob, name="theirs")
    bad = create(client, risk_profile=theirs.pk)
    assert bad.status_code == 400
    assert bad.json()["risk_profile"] == f"you have no risk profile {theirs.pk}"
    bad = create(client, risk_profile=mine.pk, stop_loss=0.01, size=0.5)
    assert bad.status_code == 400
    assert bad.json()["stop_loss"] == bad.json()["size"] == "set by the risk profile: leave it out"
    made = create(client, risk_profile=mine.pk)
    assert made.status_code == 201
    assert made.json()["risk_profile"] == mine.pk
    assert made.json()["risk_limits"]["stop_loss"] == 0.02
    bot_id = made.json()["id"]
    assert client.post(f"{URL}{bot_id}/start/").status_code == 200
    held = client.delete(f"/api/risk/profiles/{mine.pk}/")
    assert held.status_code == 409
    assert f"running bot 'ema' (id {bot_id})" in str(held.json())
    client.post(f"{URL}{bot_id}/stop/", {}, format="json")
    assert client.delete(f"/api/risk/profiles/{mine.pk}/").status_code == 204
    assert client.get(f"{URL}{bot_id}/").json()["risk_profile"] is None
    assert client.post(f"{URL}{bot_id}/start/").json()["risk_limits"] is None  # runs without
