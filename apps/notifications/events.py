"""What alerts a bot's journal messages make (pure: no Django, no I/O).

The messages are the dicts of apps/execution/services/journal.py: `kind`, `message` (words),
`bot`, and the data the event carries (`status`, `exit_reason`, `leg`, ...)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

FILL = "fill"
PROTECTIVE_FILL = "protective_fill"  # a stop-loss or take-profit closed the position
ERROR = "error"
KILL_SWITCH = "kill_switch"
STALLED = "stalled"
REFUSED = "refused"  # the exchange refused an order or a request
EVENTS = (FILL, PROTECTIVE_FILL, ERROR, KILL_SWITCH, STALLED, REFUSED)
TEST = "test"  # a channel's "Send test": never matched against a channel's events

EVENT_LABELS = {
    FILL: "Fills",
    PROTECTIVE_FILL: "Stop-loss / take-profit fills",
    ERROR: "Errors",
    KILL_SWITCH: "Kill switch",
    STALLED: "Stalled bots",
    REFUSED: "Exchange refusals",
}
PROTECTIVE_REASONS = ("stop_loss", "take_profit")


@dataclass(frozen=True)
class Alert:
    event: str  # one of EVENTS (or TEST)
    title: str
    body: str
    dedupe_key: str  # alerts with one key within ALERT_DEDUPE_SECONDS are sent once


def alert_event_of_message(message: dict[str, Any]) -> str | None:
    """The event a journal message is, or None (most are none: equity, skipped, order...)."""
    kind = message.get("kind")
    if message.get("refused") is True or kind == REFUSED:
        return REFUSED
    if kind == "fill":
        reason = message.get("exit_reason") or message.get("leg")
        return PROTECTIVE_FILL if reason in PROTECTIVE_REASONS else FILL
    if kind == "error":
        return ERROR  # a refusal is marked refused=True by the live venue (services/live.py)
    if kind == "stalled" or (kind == "status" and message.get("status") == "stalled"):
        return STALLED
    if kind == "status" and message.get("status") == "killed":
        return KILL_SWITCH
    return None


_TITLES = {
    FILL: "fill",
    PROTECTIVE_FILL: "stop-loss / take-profit fill",
    ERROR: "error",
    KILL_SWITCH: "kill switch",
    STALLED: "stalled",
    REFUSED: "exchange refusal",
}


def alerts_of_bot_messages(
    bot_id: int, bot_name: str, messages: Iterable[dict[str, Any]]
) -> list[Alert]:
    """The alerts of one bot's flushed messages, in their order. Fills are each their own alert
    (dedupe key per order); errors, refusals, the kill switch and stalls repeat under one key
    per bot and event, so a flapping bot sends one alert, then a summary."""
    alerts = []
    for message in messages:
        event = alert_event_of_message(message)
        if event is None:
            continue
        words = str(message.get("message", ""))
        if event in (FILL, PROTECTIVE_FILL):
            key = f"bot{bot_id}:{event}:{message.get('order') or message.get('seq') or words}"
        else:
            key = f"bot{bot_id}:{event}"
        alerts.append(
            Alert(
                event=event,
                title=f"Bot '{bot_name}': {_TITLES[event]}",
                body=words,
                dedupe_key=key[:200],
            )
        )
    return alerts
