"""Open WebSockets end with the session that opened them (docs/realtime.md).

A socket authenticates once, with the session cookie of its handshake. Every socket joins the
group of its session and the group of its user's sessions; signing out tells them to close
(4401), on every server process, through the channel layer: "log out" the sockets of that
session, "log out everywhere" every socket of the user.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

SIGNED_OUT = "session.ended"  # the consumers' handler: RealtimeConsumer.session_ended


def session_group(session_key: str) -> str:
    return f"session.{session_key}"


def user_sessions_group(user_id: int) -> str:
    return f"user-sessions.{user_id}"


def sockets_sign_out(group: str) -> None:
    """After the commit that ended the session(s): close the group's sockets. A channel layer
    that cannot be reached never fails the sign-out itself (the session is gone: a socket that
    reconnects is refused)."""

    def send() -> None:
        try:
            async_to_sync(get_channel_layer().group_send)(group, {"type": SIGNED_OUT})
        except Exception:  # noqa: BLE001 - Redis down, say: the sign-out stands regardless
            logger.warning("open sockets of %s not told of the sign-out", group, exc_info=True)

    transaction.on_commit(send)
