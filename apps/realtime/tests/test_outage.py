"""Sockets across a Redis outage (the channel layer on a Redis of the test's own, stopped and
started again): a connect while Redis is away is accepted and closed with CLOSE_UNAVAILABLE
(the browser reconnects), an open socket whose layer fails is closed the same way, never
dropped without a close frame; once Redis is back every slot is free and the cap's sockets
open."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings

from apps.realtime.consumers import RealtimeConsumer
from apps.realtime.protocol import CLOSE_UNAVAILABLE, MESSAGE_READY

pytestmark = pytest.mark.django_db
CAP = 4


class Probe(RealtimeConsumer):
    """The smallest socket: a per-user slot, its groups, the handshake."""

    channel_layer_alias = "outage"
    slot_kind = "probe"
    cap_setting = "REPLAY_MAX_SOCKETS_PER_USER"

    async def open(self, user) -> None:
        await self.ready()

    async def on_message(self, message) -> None:
        pass


@pytest.fixture
def layer_on_private_redis(settings, private_redis):
    settings.CHANNEL_LAYERS = {
        **django_settings.CHANNEL_LAYERS,
        "outage": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": private_redis.url,
                        "socket_connect_timeout": 1,
                        **django_settings.REDIS_ASYNC_RETRY_OPTIONS,
                    }
                ]
            },
        },
    }
    settings.REPLAY_MAX_SOCKETS_PER_USER = CAP
    return private_redis


async def _open(user) -> tuple[WebsocketCommunicator, dict]:
    socket = WebsocketCommunicator(Probe.as_asgi(), "/ws/probe/")
    socket.scope["user"] = user
    connected, _ = await socket.connect(timeout=10)
    assert connected
    first = await socket.receive_output(timeout=10)
    assert first["type"] == "websocket.send", first
    return socket, json.loads(first["text"])


async def _slots_held(redis_server, user) -> int:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_server.url)
    try:
        return await client.zcard(f"realtime:slots:probe:{user.pk}")
    finally:
        await client.aclose()


def test_sockets_close_in_words_during_an_outage_and_every_slot_is_free_after(
    layer_on_private_redis, ana
):
    redis_server = layer_on_private_redis

    async def scenario():
        before, ready = await _open(ana)
        assert ready["type"] == MESSAGE_READY
        assert await _slots_held(redis_server, ana) == 1

        await asyncio.to_thread(redis_server.stop, keep_data=True)  # its keys survive it
        # The open socket's layer fails: a close frame that says so, not a dropped connection.
        closed = await before.receive_output(timeout=30)
        assert closed == {
            "type": "websocket.close",
            "code": CLOSE_UNAVAILABLE,
            "reason": "realtime service unavailable: retry shortly",
        }
        during = WebsocketCommunicator(Probe.as_asgi(), "/ws/probe/")
        during.scope["user"] = ana
        accepted, code = await during.connect(timeout=30)
        if accepted:  # accepted, then closed with the code (never refused without a frame)
            code = (await during.receive_output(timeout=30))["code"]
        assert code == CLOSE_UNAVAILABLE

        await asyncio.to_thread(redis_server.start)
        sockets = [await _open(ana) for _ in range(CAP)]  # every slot free again
        assert all(ready["type"] == MESSAGE_READY for _, ready in sockets)
        for socket, _ in sockets:
            await socket.disconnect()
        assert await _slots_held(redis_server, ana) == 0

    async_to_sync(scenario)()
