"""Reads of bots. Every bot belongs to its owner: anyone else's is indistinguishable from a
missing one (404)."""

from __future__ import annotations

import time

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from .models import Bot, BotDecision, BotEvent, BotOrder, BotTrade

MAX_EVENTS = 500


DAY_MS = 86_400_000


def day_start_ms(now_ms: int | None = None) -> int:
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    return now_ms - now_ms % DAY_MS


def with_figures(bots: QuerySet, *, now_ms: int | None = None) -> QuerySet:
    """Annotate each bot with its equity marked at the last close it decided (`marked_equity`,
    the realised equity before any decision), the marked equity at the start of today UTC
    (`day_start_equity`: the last close before midnight, else the starting capital) and the
    time of its last decision: one query for any number of bots."""
    decisions = BotDecision.objects.filter(bot=OuterRef("pk")).order_by("-candle_ms")
    before_today = decisions.filter(candle_ms__lt=day_start_ms(now_ms))
    return bots.annotate(
        marked_equity=Coalesce(Subquery(decisions.values("equity")[:1]), F("equity")),
        day_start_equity=Coalesce(Subquery(before_today.values("equity")[:1]), F("paper_capital")),
        last_decision_at=Subquery(decisions.values("created_at")[:1]),
    )


def bot_list(*, owner: AbstractBaseUser) -> QuerySet:
    return with_figures(Bot.objects.filter(owner=owner).select_related("symbol", "position"))


def bot_get(*, owner: AbstractBaseUser, bot_id: int) -> Bot:
    bot = bot_list(owner=owner).filter(pk=bot_id).first()
    if bot is None:
        raise Http404(f"No bot {bot_id}.")
    return bot


def bot_owned(*, owner_id: int, bot_id: int) -> bool:
    return Bot.objects.filter(pk=bot_id, owner_id=owner_id).exists()


def bot_orders(*, bot: Bot) -> QuerySet:
    return BotOrder.objects.filter(bot=bot).order_by("-id")


def bot_trades(*, bot: Bot) -> QuerySet:
    return BotTrade.objects.filter(bot=bot).order_by("number")


def bot_equity(*, bot: Bot) -> list[tuple[int, float]]:
    """(candle open ms, equity marked at its close) per decided candle."""
    rows = BotDecision.objects.filter(bot=bot).order_by("candle_ms")
    return [(t, float(e)) for t, e in rows.values_list("candle_ms", "equity")]


def bot_events(*, bot: Bot, limit: int = 100, kind: str | None = None) -> QuerySet:
    events = BotEvent.objects.filter(bot=bot)
    if kind:
        events = events.filter(kind=kind)
    return events.order_by("-id")[: min(limit, MAX_EVENTS)]


def bot_decisions(*, bot: Bot) -> QuerySet:
    return BotDecision.objects.filter(bot=bot).order_by("-candle_ms")
