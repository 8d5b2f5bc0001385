"""The one way a service publishes to sockets (Zulip's pattern): change the database, then send
one event after the commit that made it (never for a rolled-back one) to a channel-layer group,
whose consumers forward it (docs/realtime.md).

An event is {"type": <the consumers' handler, e.g. "bot.messages">, "messages": [...]}: the
messages of one group and handler published together (or inside `publishing_batched`, where a
task that steps many bots makes one trip to the channel layer per group instead of one per
bot) arrive as one event. Publishing never fails the caller: the database is the truth and the
socket a view of it; a page re-reads what it missed when its socket reconnects.
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

from config.degraded import REDIS_DOWN, dependency_failed

logger = logging.getLogger(__name__)

Pending = list[tuple[str, str, dict[str, Any]]]  # (group, handler, message)
_batch: ContextVar[Pending | None] = ContextVar("realtime_batch", default=None)


def _send(pending: Pending) -> None:
    """One group_send per (group, handler); a broken channel layer is logged, never raised."""
    layer = get_channel_layer()
    if layer is None or not pending:
        return
    events: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for group, handler, message in pending:
        events[(group, handler)].append(message)

    async def send_all() -> None:
        for (group, handler), messages in events.items():
            await layer.group_send(group, {"type": handler, "messages": messages})

    try:
        async_to_sync(send_all)()
    except REDIS_DOWN as error:  # counted, logged once a minute: pages re-read on reconnect
        dependency_failed("channel layer", "group_send", error)
    except Exception:
        logger.warning("publishing %d realtime messages failed", len(pending), exc_info=True)


def publish(group: str, handler: str, messages: list[dict[str, Any]]) -> None:
    """Send `messages` to `group`'s sockets now (or at the end of `publishing_batched`)."""
    pending = [(group, handler, message) for message in messages]
    batch = _batch.get()
    if batch is not None:
        batch.extend(pending)
    else:
        _send(pending)


def publish_after_commit(group: str, handler: str, messages: list[dict[str, Any]]) -> None:
    """`publish` once the current transaction commits (at once outside one)."""
    if messages:
        kept = list(messages)
        transaction.on_commit(lambda: publish(group, handler, kept))


@contextmanager
def publishing_batched() -> Iterator[None]:
    """Collect what is published inside (after each commit), send it all at the end."""
    token = _batch.set([])
    try:
        yield
    finally:
        pending = _batch.get() or []
        _batch.reset(token)
        _send(pending)
