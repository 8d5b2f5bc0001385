"""Publishing bot events to /ws/bots/ after the commit that made them (docs/bots.md).

A service changes the database, then calls `publish_after_commit`: the messages go to the
owner's channel-layer group only once the transaction commits (never for a rolled-back one).
Many bots stepped in one task publish in one batch (`publishing_batched`): one trip to the
channel layer per owner instead of one per bot.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

_batch: ContextVar[list[tuple[int, dict[str, Any]]] | None] = ContextVar("bot_batch", default=None)


def owner_group(owner_id: int) -> str:
    return f"bots.owner.{owner_id}"


def _send(pairs: list[tuple[int, dict[str, Any]]]) -> None:
    """One group_send per owner; a broken channel layer never fails a committed step."""
    layer = get_channel_layer()
    if layer is None or not pairs:
        return
    by_owner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for owner_id, message in pairs:
        by_owner[owner_id].append(message)

    async def send_all() -> None:
        for owner_id, messages in by_owner.items():
            await layer.group_send(
                owner_group(owner_id), {"type": "bot.messages", "messages": messages}
            )

    try:
        async_to_sync(send_all)()
    except Exception:  # the database is the truth; the socket is a view of it
        logger.exception("publishing %d bot messages failed", len(pairs))


def publish(owner_id: int, messages: list[dict[str, Any]]) -> None:
    batch = _batch.get()
    pairs = [(owner_id, message) for message in messages]
    if batch is not None:
        batch.extend(pairs)
    else:
        _send(pairs)


def publish_after_commit(owner_id: int, messages: list[dict[str, Any]]) -> None:
    if messages:
        batch = list(messages)
        transaction.on_commit(lambda: publish(owner_id, batch))


@contextmanager
def publishing_batched() -> Iterator[None]:
    """Collect what is published inside (after each commit), send it all at the end."""
    token = _batch.set([])
    try:
        yield
    finally:
        pairs = _batch.get() or []
        _batch.reset(token)
        _send(pairs)
