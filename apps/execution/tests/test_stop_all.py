"""Stop all: every bot of the user at once, positions closed or kept, one outcome per bot,
idempotent, and nothing of another user's touched."""

from __future__ import annotations

import pytest

from apps.execution.models import Bot, BotOrder, BotStatus

from .helpers import BAR, START, first_entry_candle, running_bot, step_on_time, store_around

URL = "/api/execution/bots/stop-all/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def btc_may(btc_symbol, btc_5m_candles):
    store_around(btc_symbol, btc_5m_candles, START)
    return btc_symbol


@pytest.fixture
def bots(ana, bob, btc_may):
    holding = running_bot(ana, btc_may, name="holding")
    entry = first_entry_candle(holding)  # the entry is ordered at this close
    step_on_time(holding, entry + BAR)  # and fills at the next candle's open
    flat = running_bot(ana, btc_may, name="flat")
    idle = running_bot(ana, btc_may, name="idle")
    Bot.objects.filter(pk=idle.pk).update(status=BotStatus.STOPPED)
    theirs = running_bot(bob, btc_may, name="bob's")
    return {"holding": holding, "flat": flat, "idle": idle, "theirs": theirs}


def outcomes(response) -> dict[str, tuple[str, str]]:
    assert response.status_code == 200, response.json()
    return {r["name"]: (r["outcome"], r["status"]) for r in response.json()["results"]}


def test_stop_all_keeping_positions_then_closing_them(client, bots):
    assert hasattr(Bot.objects.get(pk=bots["holding"].pk), "position")
    kept = outcomes(client.post(URL, {"close_positions": False}, format="json"))
    assert kept == {
        "holding": ("stopped", "stopped"),
        "flat": ("stopped", "stopped"),
        "idle": ("already stopped", "stopped"),
    }
    assert Bot.objects.get(pk=bots["holding"].pk).position is not None  # kept, as asked
    orders = BotOrder.objects.count()
    again = outcomes(client.post(URL, {"close_positions": False}, format="json"))
    assert set(again.values()) == {("already stopped", "stopped")}
    assert BotOrder.objects.count() == orders

    closed = outcomes(client.post(URL, {"close_positions": True}, format="json"))
    assert closed["holding"] == ("closing", "stopping")  # paper: fills at the next open
    assert closed["flat"] == closed["idle"] == ("already stopped", "stopped")
    assert BotOrder.objects.filter(bot=bots["holding"], leg="close").count() == 1
    repeat = outcomes(client.post(URL, {"close_positions": True}, format="json"))
    assert repeat["holding"] == ("closing", "stopping")
    assert BotOrder.objects.filter(bot=bots["holding"], leg="close").count() == 1
    assert Bot.objects.get(pk=bots["theirs"].pk).status == BotStatus.RUNNING  # bob's untouched


def test_stop_all_closing_at_once(client, bots):
    result = outcomes(client.post(URL, {"close_positions": True}, format="json"))
    assert result["holding"] == ("closing", "stopping")
    assert result["flat"] == ("stopped", "stopped")
    assert Bot.objects.get(pk=bots["theirs"].pk).status == BotStatus.RUNNING


def test_the_choice_is_required_and_anonymous_is_refused(client, bots):
    from rest_framework.test import APIClient

    missing = client.post(URL, {}, format="json")
    assert missing.status_code == 400 and "close_positions" in missing.json()
    assert APIClient().post(URL, {"close_positions": True}, format="json").status_code in (401, 403)
    assert Bot.objects.filter(status=BotStatus.RUNNING).count() == 3
