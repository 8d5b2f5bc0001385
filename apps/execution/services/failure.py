"""A bot stopped by a failure (a step that raised, a refusal, books that disagree): status
error, with the words of what happened (docs/bots.md, "The life of a bot")."""

from __future__ import annotations

from django.db import transaction

from ..lifecycle import STATUS_FIELDS, STEPPING, bot_status_move
from ..models import Bot, BotStatus
from .journal import Journal


def bot_fail(*, bot_id: int, message: str, refused: bool = False) -> None:
    """Status error with `message` (an error event too), unless the bot stopped meanwhile.
    `refused`: the exchange refused (the alerts tell it from other errors)."""
    with transaction.atomic():
        bot = Bot.objects.select_for_update().filter(pk=bot_id, status__in=STEPPING).first()
        if bot is None:
            return
        journal = Journal(bot)
        bot_status_move(bot, BotStatus.ERROR, message, journal)
        journal.add("error", message, **({"refused": True} if refused else {}))
        bot.save(update_fields=STATUS_FIELDS)
        journal.flush()
