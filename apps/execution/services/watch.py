"""The watch over running bots (beat, every EXECUTION_WATCH_SECONDS, on the ingest queue so that
it runs when the bots queue has no worker): a bot that starts to stall gets a "stalled" event
with the reason (which the bot's page, the dashboard and the alerts show), one that decides on
time again a "resumed" event. Once per change, not at every watch (Bot.stalled_cause)."""

from __future__ import annotations

import time

from django.db import transaction
from django.db.models import Q

from ..health import bots_stalled
from ..models import Bot, BotStatus
from .journal import Journal


def bots_watch(*, now_ms: int | None = None) -> int:
    """Record the stalls that started or ended since the last watch; how many changed."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    bots = list(
        Bot.objects.filter(Q(status=BotStatus.RUNNING) | ~Q(stalled_cause="")).select_related(
            "symbol"
        )
    )
    stalls = bots_stalled(bots, now_ms=now_ms)
    changed = 0
    for bot in bots:
        stall = stalls.get(bot.pk)
        cause = stall.cause if stall is not None else ""
        if cause == bot.stalled_cause:
            continue
        with transaction.atomic():
            locked = (
                Bot.objects.select_for_update()
                .filter(pk=bot.pk, stalled_cause=bot.stalled_cause)
                .first()
            )
            if locked is None:  # another watch recorded it
                continue
            journal = Journal(locked)
            if stall is not None:
                journal.add(
                    "stalled", f"Stalled: {stall.reason}", cause=cause, late_ms=stall.late_ms
                )
            elif locked.status == BotStatus.RUNNING:
                journal.add("resumed", "Deciding on time again.", cause=bot.stalled_cause)
            locked.stalled_cause = cause
            locked.save(update_fields=["stalled_cause", "updated_at"])
            journal.flush()
        changed += 1
    return changed
