"""Bot events on /ws/bots/ (docs/bots.md): each goes to its owner's group, published after the
commit that made it by the one publisher (apps/realtime/publish.py)."""

from __future__ import annotations

from typing import Any

from apps.realtime.publish import publish_after_commit

BOT_MESSAGES = "bot.messages"  # the consumer's handler: bot_messages()


def owner_group(owner_id: int) -> str:
    return f"bots.owner.{owner_id}"


def bot_messages_publish(owner_id: int, messages: list[dict[str, Any]]) -> None:
    """The bot's messages to its owner's sockets, once the transaction commits."""
    publish_after_commit(owner_group(owner_id), BOT_MESSAGES, messages)
