"""Publishing bot events to /ws/bots/ after the commit that made them (docs/bots.md).

A service changes the database, then calls `publish_after_commit`: the messages go to the
owner's channel-layer group only once the transaction commits (never for a rolled-back one).
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def owner_group(owner_id: int) -> str:
    return f"bots.owner.{owner_id}"


def publish(owner_id: int, messages: list[dict[str, Any]]) -> None:
    """Send now. A broken channel layer must not fail the step that already committed."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    try:
        send = async_to_sync(layer.group_send)
        for message in messages:
            send(owner_group(owner_id), {"type": "bot.message", "message": message})
    except Exception:  # the database is the truth; the socket is a view of it
        logger.exception("publishing %d bot messages failed", len(messages))


def publish_after_commit(owner_id: int, messages: list[dict[str, Any]]) -> None:
    if messages:
        batch = list(messages)
        transaction.on_commit(lambda: publish(owner_id, batch))
