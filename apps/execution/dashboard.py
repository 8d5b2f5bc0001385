"""The dashboard's figures across a user's bots (served at /api/execution/dashboard/...).

They live here, not in apps/analytics, because they read the execution app's tables and
analytics sits below execution (tests/test_architecture.py). Every figure comes from the same
marked equities as the bots' own (selectors.with_figures), so the totals equal the sum of the
bots' figures. Money is never added across modes (paper and live) nor across quote currencies:
the totals come per (mode, quote) group, and each curve is one group's. The curves are NumPy
over the bots' decisions: the total at a time is the sum of each bot's equity marked at its last
close at or before it (its starting capital before its first).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser

from .health import bots_stalled
from .models import Bot, BotDecision, BotEvent, BotMode, BotPosition, BotStatus
from .selectors import DAY_MS, bot_list

LEADERS = 5
MAX_EVENTS = 100


@dataclass(frozen=True)
class EquityCurve:
    times_ms: np.ndarray  # candle open times, ascending
    total: np.ndarray  # the sum of the bots' marked equities after each time
    start: float  # the sum of the starting capitals (before any decision)


MODE_ORDER = (BotMode.LIVE, BotMode.PAPER)  # real money first


@dataclass(frozen=True)
class Group:
    """Bots whose money can be added: one mode, one quote currency."""

    mode: str
    quote: str


def _group_key(group: Group) -> tuple:
    return (MODE_ORDER.index(group.mode), group.quote)


def dashboard_groups(*, owner: AbstractBaseUser) -> list[Group]:
    """The owner's (mode, quote) groups, live first, then by quote."""
    pairs = (
        Bot.objects.filter(owner=owner).values_list("mode", "symbol__quote").order_by().distinct()
    )
    return sorted({Group(mode, quote) for mode, quote in pairs}, key=_group_key)


def dashboard_summary(*, owner: AbstractBaseUser, now_ms: int | None = None) -> dict[str, Any]:
    bots = list(bot_list(owner=owner))
    counts = Counter(bot.status for bot in bots)
    groups: dict[Group, list[Bot]] = {}
    for bot in bots:
        groups.setdefault(Group(bot.mode, bot.symbol.quote), []).append(bot)
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    stalls = bots_stalled(bots, now_ms=now_ms)
    return {
        "bots": len(bots),
        "counts": {status: counts.get(status, 0) for status in BotStatus.values},
        "open_positions": sum(1 for bot in bots if getattr(bot, "position", None) is not None),
        "totals": [_totals(group, groups[group]) for group in sorted(groups, key=_group_key)],
        "stalled": [
            {"bot": bot.pk, "name": bot.name, "reason": stalls[bot.pk].reason}
            for bot in bots
            if bot.pk in stalls
        ],
    }


def _totals(group: Group, bots: list[Bot]) -> dict[str, Any]:
    marked = sum((bot.marked_equity for bot in bots), Decimal(0))
    capital = sum((bot.paper_capital for bot in bots), Decimal(0))
    today = sum((bot.marked_equity - bot.day_start_equity for bot in bots), Decimal(0))
    return {
        "mode": group.mode,
        "quote": group.quote,
        "bots": len(bots),
        "open_positions": sum(1 for bot in bots if getattr(bot, "position", None) is not None),
        "capital": str(capital),
        "total_equity": str(marked),
        "total_pnl": str(marked - capital),
        "today_pnl": str(today),
    }


def dashboard_group(*, owner: AbstractBaseUser, mode: str | None, quote: str | None) -> Group:
    """The group a curve is asked for; by default the first (live first). A group the owner has
    no bot in is still a group (its curve is empty)."""
    groups = dashboard_groups(owner=owner)
    if mode is None and quote is None and groups:
        return groups[0]
    default = groups[0] if groups else Group(BotMode.PAPER, "")
    return Group(mode or default.mode, quote if quote is not None else default.quote)


def dashboard_equity_curve(*, owner: AbstractBaseUser, group: Group) -> EquityCurve:
    mine = Bot.objects.filter(owner=owner, mode=group.mode, symbol__quote=group.quote)
    bots = list(mine.values_list("pk", "paper_capital"))
    start = float(sum((capital for _, capital in bots), Decimal(0)))
    rows = np.array(
        BotDecision.objects.filter(bot__in=mine)
        .order_by("bot_id", "candle_ms")
        .values_list("bot_id", "candle_ms", "equity"),
        dtype=object,
    ).reshape(-1, 3)
    if not len(rows):
        return EquityCurve(np.zeros(0, np.int64), np.zeros(0), start)
    bot_ids = rows[:, 0].astype(np.int64)
    times = rows[:, 1].astype(np.int64)
    equity = rows[:, 2].astype(np.float64)
    grid = np.unique(times)
    total = np.full(len(grid), start)
    capital = {pk: float(c) for pk, c in bots}
    # Each bot adds (its equity - its capital) from each of its decisions on, forward filled.
    for pk in np.unique(bot_ids):
        mine = bot_ids == pk
        at = np.searchsorted(times[mine], grid, side="right") - 1
        known = at >= 0
        total[known] += equity[mine][at[known]] - capital[int(pk)]
    return EquityCurve(grid, total, start)


def _points(times_ms: np.ndarray, values: np.ndarray) -> list[dict[str, Any]]:
    return [
        {"time": int(t) // 1000, "value": float(v)} for t, v in zip(times_ms, values, strict=True)
    ]


def _named(group: Group) -> dict[str, str]:
    return {"mode": group.mode, "quote": group.quote}


def dashboard_equity(*, owner: AbstractBaseUser, group: Group) -> dict[str, Any]:
    curve = dashboard_equity_curve(owner=owner, group=group)
    return {**_named(group), "start": curve.start, "points": _points(curve.times_ms, curve.total)}


def dashboard_drawdown(*, owner: AbstractBaseUser, group: Group) -> dict[str, Any]:
    curve = dashboard_equity_curve(owner=owner, group=group)
    if not len(curve.total):
        return {**_named(group), "max_drawdown": 0.0, "current_drawdown": 0.0, "points": []}
    peak = np.maximum.accumulate(np.maximum(curve.total, curve.start))
    drawdown = curve.total / peak - 1.0
    return {
        **_named(group),
        "max_drawdown": float(drawdown.min()),
        "current_drawdown": float(drawdown[-1]),
        "points": _points(curve.times_ms, drawdown),
    }


def dashboard_pnl_by_day(*, owner: AbstractBaseUser, group: Group) -> dict[str, Any]:
    """Per UTC day: the total marked at the day's last decided close minus the previous day's."""
    curve = dashboard_equity_curve(owner=owner, group=group)
    if not len(curve.total):
        return {**_named(group), "days": []}
    day = curve.times_ms // DAY_MS
    last = np.r_[np.nonzero(np.diff(day))[0], len(day) - 1]
    closes = curve.total[last]
    pnl = np.diff(np.r_[curve.start, closes])
    return {
        **_named(group),
        "days": [
            {"time": int(d) * 86_400, "pnl": float(p)} for d, p in zip(day[last], pnl, strict=True)
        ],
    }


def dashboard_positions(*, owner: AbstractBaseUser) -> list[dict[str, Any]]:
    positions = BotPosition.objects.filter(bot__owner=owner).select_related("bot__symbol")
    return [
        {
            "bot": p.bot_id,
            "name": p.bot.name,
            "symbol": p.bot.symbol.name,
            "mode": p.bot.mode,
            "side": "long" if p.side > 0 else "short",
            "size": str(p.size),
            "entry_price": str(p.entry_price),
            "entry_time": p.entry_time_ms // 1000,
        }
        for p in positions.order_by("bot_id")
    ]


def dashboard_events(*, owner: AbstractBaseUser, limit: int = 20) -> list[dict[str, Any]]:
    events = BotEvent.objects.filter(bot__owner=owner).select_related("bot").order_by("-id")
    return [
        {
            "id": e.pk,
            "bot": e.bot_id,
            "name": e.bot.name,
            "kind": e.kind,
            "message": e.message,
            "candle": None if e.candle_ms is None else e.candle_ms // 1000,
            "created_at": e.created_at,
        }
        for e in events[: min(limit, MAX_EVENTS)]
    ]


def dashboard_leaders(*, owner: AbstractBaseUser) -> dict[str, Any]:
    """The best and worst bots by total PnL (marked equity - starting capital)."""
    rows = [
        {
            "bot": bot.pk,
            "name": bot.name,
            "symbol": bot.symbol.name,
            "strategy": bot.strategy,
            "mode": bot.mode,
            "status": bot.status,
            "total_pnl": bot.marked_equity - bot.paper_capital,
            "return": float((bot.marked_equity - bot.paper_capital) / bot.paper_capital),
        }
        for bot in bot_list(owner=owner)
    ]
    rows.sort(key=lambda row: (row["total_pnl"], -row["bot"]), reverse=True)
    for row in rows:
        row["total_pnl"] = str(row["total_pnl"])
    best = rows[:LEADERS]
    worst = [row for row in reversed(rows) if row not in best][:LEADERS]
    return {"best": best, "worst": worst}
