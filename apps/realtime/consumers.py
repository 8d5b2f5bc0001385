"""The base of every WebSocket consumer (docs/realtime.md).

It owns what each socket must do the same way: accept, then authenticate and authorise with one
close code per outcome (anonymous 4401; missing or another user's 4404); the per-user cap on
open sockets; a heartbeat every REALTIME_HEARTBEAT_SECONDS; and the parsing of client frames,
where anything malformed gets an error reply and the socket stays usable. A socket ends with
the session that opened it (closed 4401 when it signs out, apps/accounts/socket_groups.py), and
its channel-layer groups are renewed while it lives: channels_redis forgets a group's member
after `group_expiry` (a day), which would silently cut a page left open longer.
Subclasses implement `open` (authorise, `join` their groups, or raise Refused) and `on_message`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import orjson
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.conf import settings

from apps.accounts.socket_groups import session_group, user_sessions_group
from config.degraded import REDIS_DOWN, dependency_failed

from .protocol import (
    CLOSE_TOO_MANY,
    CLOSE_UNAUTHENTICATED,
    CLOSE_UNAVAILABLE,
    MESSAGE_ERROR,
    MESSAGE_HEARTBEAT,
    MESSAGE_READY,
    MessageInvalid,
    parse_client_message,
)
from .slots import LEASE_HEARTBEATS, SocketSlots

logger = logging.getLogger(__name__)
UNAVAILABLE_REASON = "realtime service unavailable: retry shortly"


class Refused(Exception):
    """Close the socket at once with this code and reason (reason: at most 123 bytes)."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


class RealtimeConsumer(AsyncWebsocketConsumer):
    slot_kind: str | None = None  # sockets counted against a per-user cap, e.g. "replay"
    cap_setting: str | None = None  # the settings name of that cap

    accepted = False
    opened = False
    _slots: SocketSlots | None = None
    _heartbeat: asyncio.Task | None = None
    _groups: tuple[str, ...] = ()

    # --- subclass interface ----------------------------------------------------------------

    async def open(self, user: Any) -> None:
        """Authorise and prepare (raise Refused to close); the socket is already accepted."""
        raise NotImplementedError

    async def on_message(self, message: dict[str, Any]) -> None:
        """Act on one parsed client message (raise MessageInvalid to answer with an error)."""
        raise NotImplementedError

    async def on_close(self) -> None:
        """Stop whatever `open` started."""

    # --- lifecycle -----------------------------------------------------------------------------

    async def __call__(self, scope, receive, send) -> None:
        """The consumer, plus what channels does not do: when the channel layer (Redis) goes
        away, its receive loop raises and the connection would drop without a close frame (and
        keep its slot until the lease ends). Instead the socket closes with CLOSE_UNAVAILABLE,
        which the browser answers by reconnecting, and releases what it held."""
        try:
            await super().__call__(scope, receive, send)
        except REDIS_DOWN as error:
            dependency_failed("channel layer", "receive", error)
            with contextlib.suppress(Exception):  # the client may be gone already
                if not self.accepted:
                    await self.accept()
                await self.close(code=CLOSE_UNAVAILABLE, reason=UNAVAILABLE_REASON)
            await self.disconnect(CLOSE_UNAVAILABLE)

    async def connect(self) -> None:
        await self.accept()
        self.accepted = True
        self.send_lock = asyncio.Lock()
        user = self.scope.get("user")
        try:
            if user is None or not user.is_authenticated:
                raise Refused(CLOSE_UNAUTHENTICATED, "sign in first")
            await self._take_slot(user.pk)
            session = self.scope.get("session")
            if session is not None and session.session_key:
                await self.join(session_group(session.session_key))
            await self.join(user_sessions_group(user.pk))
            await self.open(user)
        except Refused as refusal:
            await self._refuse(refusal.code, refusal.reason)
            return
        except REDIS_DOWN as error:
            # The channel layer (Redis) is away: say so in a close frame, and the client tries
            # again, rather than a dropped connection and a slot held until its lease ends.
            dependency_failed("channel layer", "connect", error)
            await self._refuse(CLOSE_UNAVAILABLE, UNAVAILABLE_REASON)
            return
        self.opened = True
        self._heartbeat = asyncio.create_task(self._beat())

    async def disconnect(self, code: int) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        if self.opened:
            self.opened = False
            await self.on_close()
        await self._release()

    async def _refuse(self, code: int, reason: str) -> None:
        await self.close(code=code, reason=reason)
        await self._release()

    async def _release(self) -> None:
        """Free the slot and leave the groups. With Redis away the slot is freed by this
        process's next slot operation once Redis answers (slots.py), the groups expire."""
        for step in (self._free_slot, self._leave_groups):
            try:
                await step()
            except REDIS_DOWN as error:
                dependency_failed("channel layer", "release", error)

    async def join(self, group: str) -> None:
        """The group's messages reach this socket until it closes."""
        await self.channel_layer.group_add(group, self.channel_name)
        self._groups = (*self._groups, group)

    async def _leave_groups(self) -> None:
        groups, self._groups = self._groups, ()
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def session_ended(self, event: dict[str, Any]) -> None:
        """The session that opened this socket signed out (apps/accounts/socket_groups.py)."""
        await self.close(code=CLOSE_UNAUTHENTICATED, reason="signed out")

    async def _take_slot(self, user_id: int) -> None:
        if self.slot_kind is None:
            return
        cap = getattr(settings, self.cap_setting)
        lease = settings.REALTIME_HEARTBEAT_SECONDS * LEASE_HEARTBEATS
        slots = SocketSlots(
            layer=self.channel_layer, kind=self.slot_kind, user_id=user_id, lease=lease
        )
        if not await slots.acquire(self.channel_name, cap):
            raise Refused(CLOSE_TOO_MANY, f"too many open {self.slot_kind} sockets (limit {cap})")
        self._slots = slots

    async def _free_slot(self) -> None:
        if self._slots is not None:
            slots, self._slots = self._slots, None
            await slots.release(self.channel_name)  # remembered if it fails (slots.py)

    async def _beat(self) -> None:
        """A heartbeat per interval: the client's proof of life, and the slot's lease renewal."""
        interval = settings.REALTIME_HEARTBEAT_SECONDS
        renewed = time.monotonic()
        while True:
            await asyncio.sleep(interval)
            await self.send_message({"type": MESSAGE_HEARTBEAT})
            try:
                if self._slots is not None:
                    await self._slots.renew(self.channel_name)
                if time.monotonic() - renewed >= settings.REALTIME_GROUP_RENEW_SECONDS:
                    for group in self._groups:  # joining again renews the membership
                        await self.channel_layer.group_add(group, self.channel_name)
                    renewed = time.monotonic()
            except REDIS_DOWN as error:  # renewed at the next beat once Redis is back
                dependency_failed("channel layer", "renew", error)

    # --- messages --------------------------------------------------------------------------------

    async def ready(self, **snapshot: Any) -> None:
        """The handshake, once `open` has joined its groups: whether events are pushed, the
        heartbeat interval, and what the socket's page needs first (protocol.MESSAGE_READY)."""
        push = not isinstance(self.channel_layer, InMemoryChannelLayer)
        heartbeat = float(settings.REALTIME_HEARTBEAT_SECONDS)
        await self.send_message(
            {"type": MESSAGE_READY, "push": push, "heartbeat": heartbeat, **snapshot}
        )

    async def send_message(self, message: dict[str, Any]) -> None:
        """One JSON text frame; serialised so that two tasks never interleave on the socket."""
        text = orjson.dumps(message).decode()
        async with self.send_lock:
            await self.send(text_data=text)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.opened:  # refused, or closing: frames still in the pipe are dropped
            return
        try:
            await self.on_message(parse_client_message(text_data, bytes_data))
        except MessageInvalid as error:
            await self.send_message({"type": MESSAGE_ERROR, "detail": str(error)})
