"""The per-user socket cap's leases, on Redis (the test settings' channel layer) and in memory."""

from __future__ import annotations

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from apps.realtime.slots import SocketSlots


def scenario(layer) -> list:
    async def run():
        slots = SocketSlots(layer=layer, kind="test", user_id=987654, lease=0.3)
        other_user = SocketSlots(layer=layer, kind="test", user_id=987655, lease=0.3)
        seen = [
            await slots.acquire("a", 2),
            await slots.acquire("b", 2),
            await slots.acquire("c", 2),  # cap reached
            await slots.acquire("a", 2),  # the same socket again: still its slot
            await other_user.acquire("x", 2),  # caps are per user
        ]
        await slots.release("b")
        seen.append(await slots.acquire("c", 2))  # a released slot is free at once
        await asyncio.sleep(0.2)
        await slots.renew("a")
        await asyncio.sleep(0.2)  # c's lease (never renewed) ran out: a crashed process's
        seen.append(await slots.acquire("d", 2))
        seen.append(await slots.acquire("e", 2))  # a renewed: still held
        for member in "acd":
            await slots.release(member)
        await other_user.release("x")
        return seen

    return async_to_sync(run)()


EXPECTED = [True, True, False, True, True, True, True, False]


def test_leases_on_redis_cap_release_renew_and_expire():
    layer = get_channel_layer()
    assert hasattr(layer, "connection"), "the test settings use the Redis channel layer"
    assert scenario(layer) == EXPECTED


def test_leases_in_memory_follow_the_same_rules():
    assert scenario(InMemoryChannelLayer()) == EXPECTED
