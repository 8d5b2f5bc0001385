"""/api/execution/dashboard/... (apps/execution/dashboard.py): figures across the user's bots,
from two paper bots stepped through real BTC/USDT candles; each total equals the sum of the
bots' own figures (the bots API), and someone else's bot never counts."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from apps.execution.models import BotDecision, BotEvent
from apps.execution.selectors import DAY_MS

from .helpers import BAR, EMA, START, running_bot, step_on_time, store_around

STEPS = 2 * 288 + 30  # two days and a half of 5m candles: several trades, three UTC days


@pytest.fixture
def stepped(ana, bob, btc_symbol, btc_5m_candles):
    store_around(btc_symbol, btc_5m_candles, START, days_after=4)
    fast = running_bot(ana, btc_symbol, name="fast", params={"fast_period": 5, "slow_period": 20})
    slow = running_bot(ana, btc_symbol, name="slow", params=EMA, paper_capital=5_000)
    other = running_bot(bob, btc_symbol, name="bob's")
    for k in range(STEPS):
        for bot in (fast, slow):
            step_on_time(bot, START + k * BAR)
    step_on_time(other, START)
    return fast, slow


def test_summary_and_leaders_are_the_sum_and_order_of_the_bots_figures(client, stepped):
    bots = client.get("/api/execution/bots/").json()
    assert len(bots) == 2 and all(b["event_seq"] > 0 for b in bots)
    summary = client.get("/api/execution/dashboard/summary/").json()
    total = sum(Decimal(b["marked_equity"]) for b in bots)
    [group] = summary["totals"]  # two paper bots on BTC/USDT: one group
    assert (group["mode"], group["quote"], group["bots"]) == ("paper", "USDT", 2)
    assert Decimal(group["total_equity"]) == total
    assert Decimal(group["total_pnl"]) == sum(Decimal(b["total_pnl"]) for b in bots)
    assert Decimal(group["today_pnl"]) == sum(Decimal(b["today_pnl"]) for b in bots)
    assert Decimal(group["capital"]) == Decimal(15_000)
    assert summary["counts"]["running"] == 2 and summary["bots"] == 2
    assert summary["open_positions"] == sum(b["position"] is not None for b in bots)
    # The bots' figures themselves: marked equity = the last decision's, PnL against the capital.
    for bot in bots:
        last = BotDecision.objects.filter(bot_id=bot["id"]).order_by("-candle_ms").first()
        assert Decimal(bot["marked_equity"]) == last.equity
        assert Decimal(bot["total_pnl"]) == last.equity - Decimal(bot["paper_capital"])
        assert bot["last_decision_at"] is not None
    assert total != Decimal(15_000)  # the bots did trade

    leaders = client.get("/api/execution/dashboard/leaders/").json()
    ranked = sorted(bots, key=lambda b: Decimal(b["total_pnl"]), reverse=True)
    assert [row["bot"] for row in leaders["best"]] == [b["id"] for b in ranked]
    assert leaders["worst"] == []  # two bots: both are among the best five


def test_equity_drawdown_and_daily_pnl_follow_the_bots_equity_curves(client, stepped):
    curves = [client.get(f"/api/execution/bots/{b.pk}/equity/").json()["equity"] for b in stepped]
    equity = client.get("/api/execution/dashboard/equity/").json()
    assert equity["start"] == 15_000.0
    assert len(equity["points"]) == STEPS
    for k in (0, 100, STEPS - 1):  # both bots decided every candle: the sum, point by point
        point = equity["points"][k]
        assert point["time"] == curves[0][k]["time"] == curves[1][k]["time"]
        assert point["value"] == pytest.approx(curves[0][k]["value"] + curves[1][k]["value"])
    values = np.array([p["value"] for p in equity["points"]])

    drawdown = client.get("/api/execution/dashboard/drawdown/").json()
    expected = values / np.maximum.accumulate(np.maximum(values, 15_000.0)) - 1
    assert drawdown["max_drawdown"] == pytest.approx(expected.min())
    assert drawdown["current_drawdown"] == pytest.approx(expected[-1])
    assert drawdown["max_drawdown"] < 0

    days = client.get("/api/execution/dashboard/pnl-by-day/").json()["days"]
    assert [d["time"] for d in days] == [(START + k * DAY_MS) // 1000 for k in range(3)]
    assert sum(d["pnl"] for d in days) == pytest.approx(values[-1] - 15_000.0)
    first_day_close = values[287]  # the candle opening 23:55 closes the day
    assert days[0]["pnl"] == pytest.approx(first_day_close - 15_000.0)


def test_positions_events_and_an_empty_dashboard(client, bob_client, stepped):
    positions = client.get("/api/execution/dashboard/positions/").json()
    assert {p["bot"] for p in positions} == {
        b.pk for b in stepped if BotDecision.objects.filter(bot=b).last().position_side != 0
    }
    events = client.get("/api/execution/dashboard/events/?limit=5").json()
    newest = BotEvent.objects.filter(bot__in=stepped).order_by("-id")[:5]
    assert [e["id"] for e in events] == [e.pk for e in newest]
    assert {e["name"] for e in events} <= {"fast", "slow"}
    assert client.get("/api/execution/dashboard/events/?limit=0").status_code == 400

    for panel in ("equity", "drawdown", "pnl-by-day"):
        assert bob_client.get(f"/api/execution/dashboard/{panel}/").status_code == 200
    bob = bob_client.get("/api/execution/dashboard/summary/").json()
    assert bob["bots"] == 1 and Decimal(bob["totals"][0]["capital"]) == 10_000


def test_paper_and_live_money_are_never_added(client, stepped):
    fast, slow = stepped
    type(slow).objects.filter(pk=slow.pk).update(mode="live")  # as if it traded real money
    bots = {b["id"]: b for b in client.get("/api/execution/bots/").json()}
    totals = client.get("/api/execution/dashboard/summary/").json()["totals"]
    assert [(t["mode"], t["quote"], t["bots"]) for t in totals] == [
        ("live", "USDT", 1),
        ("paper", "USDT", 1),
    ]
    for group, bot in zip(totals, (slow, fast), strict=True):
        assert Decimal(group["total_equity"]) == Decimal(bots[bot.pk]["marked_equity"])
        assert Decimal(group["capital"]) == Decimal(bots[bot.pk]["paper_capital"])
    live = client.get("/api/execution/dashboard/equity/").json()  # live first by default
    paper = client.get("/api/execution/dashboard/equity/?mode=paper&quote=USDT").json()
    assert (live["mode"], live["start"], paper["mode"], paper["start"]) == (
        "live",
        5_000.0,
        "paper",
        10_000.0,
    )
    mine = client.get(f"/api/execution/bots/{slow.pk}/equity/").json()["equity"]
    assert [p["value"] for p in live["points"]] == pytest.approx([p["value"] for p in mine])
    drawdown = client.get("/api/execution/dashboard/drawdown/?mode=paper&quote=USDT").json()
    assert drawdown["mode"] == "paper" and len(drawdown["points"]) == STEPS
    none = client.get("/api/execution/dashboard/pnl-by-day/?mode=paper&quote=EUR").json()
    assert none == {"mode": "paper", "quote": "EUR", "days": []}
    refused = client.get("/api/execution/dashboard/equity/?mode=real")
    assert refused.status_code == 400 and "mode" in refused.json()


def test_a_user_without_bots_gets_zeros_not_errors(client):
    summary = client.get("/api/execution/dashboard/summary/").json()
    assert summary["totals"] == [] and summary["stalled"] == [] and summary["bots"] == 0
    empty = {"mode": "paper", "quote": ""}
    assert client.get("/api/execution/dashboard/equity/").json() == {
        **empty,
        "start": 0.0,
        "points": [],
    }
    assert client.get("/api/execution/dashboard/drawdown/").json()["points"] == []
    assert client.get("/api/execution/dashboard/pnl-by-day/").json() == {**empty, "days": []}
    assert client.get("/api/execution/dashboard/positions/").json() == []
