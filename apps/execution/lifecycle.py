"""The life of a bot: one table of the status moves allowed, and the one function that makes
them (docs/bots.md, "The life of a bot").

    stopped ──start──> running ──stop──────────────────────────────> stopped
       ▲                │  ├──stop with close (a position held)──> stopping ──flat──> stopped
       │                │  ├──the kill switch──> killed
       │                │  └──an error─────────> error
    killed, error ──start──> running; ──stop──> stopped (stopping, to close a position)

`bot_status_move` is the only writer of `Bot.status`: it checks the move against TRANSITIONS,
sets the status and its message, stamps `started_at` / `stopped_at`, and adds the status event
to the caller's journal (written and published when the caller flushes it, after the commit).
The caller holds the bot's row lock and saves STATUS_FIELDS. `bot_status_explain` says new words
about the same status (e.g. what is true after an order booked refused turned out filled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .models import Bot, BotStatus

if TYPE_CHECKING:
    from .services.journal import Journal

S = BotStatus
# target: the statuses a bot may move to it from
TRANSITIONS: dict[BotStatus, tuple[BotStatus, ...]] = {
    S.RUNNING: (S.STOPPED, S.ERROR, S.KILLED),  # started (again)
    S.STOPPING: (S.RUNNING, S.STOPPING, S.STOPPED, S.ERROR, S.KILLED),  # closing its position
    S.STOPPED: (S.RUNNING, S.STOPPING, S.STOPPED, S.ERROR, S.KILLED),
    S.KILLED: (S.RUNNING,),  # the risk profile's drawdown limit
    S.ERROR: (S.RUNNING, S.STOPPING, S.KILLED),  # a failed step, a refusal, books that disagree
}
RUNNABLE_FROM = TRANSITIONS[S.RUNNING]
STEPPING = (S.RUNNING, S.STOPPING, S.KILLED)  # a step still reconciles (and decides if running)
ENDED = (S.STOPPED, S.KILLED, S.ERROR)  # stamped with stopped_at
STATUS_FIELDS = ["status", "status_message", "started_at", "stopped_at", "updated_at"]


class InvalidBotTransition(Exception):
    """The bot is not in a status this move starts from."""


def bot_status_move(
    bot: Bot,
    target: BotStatus,
    message: str,
    journal: Journal,
    *,
    candle_ms: int | None = None,
    said: str | None = None,
    **data: Any,
) -> None:
    """Move the (locked) bot to `target` with `message`; its status event (in `journal`) says
    `said`, the message unless given."""
    if bot.status not in TRANSITIONS[target]:
        raise InvalidBotTransition(f"bot {bot.pk}: {bot.status} -> {target} is not allowed")
    now = timezone.now()
    bot.status, bot.status_message = target, message
    if target == S.RUNNING:
        bot.started_at, bot.stopped_at = now, None
    elif target in ENDED:
        bot.stopped_at = now
    bot.updated_at = now
    journal.add(
        "status", message if said is None else said, candle_ms=candle_ms, status=target, **data
    )


def bot_status_explain(bot: Bot, message: str, journal: Journal) -> None:
    """The same status in new words (its event in `journal`); the caller saves STATUS_FIELDS."""
    bot.status_message = message
    bot.updated_at = timezone.now()
    journal.add("status", message, status=bot.status)
