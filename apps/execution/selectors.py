"""Reads of bots. Every bot belongs to its owner: anyone else's is indistinguishable from a
missing one (404)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from .models import Bot, BotDecision, BotEvent, BotOrder, BotTrade

MAX_EVENTS = 500


def bot_list(*, owner: AbstractBaseUser) -> QuerySet:
    return Bot.objects.filter(owner=owner).select_related("symbol", "position")


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
