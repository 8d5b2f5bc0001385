"""/ws/bots/ through the real ASGI stack (routing, origin, session, Redis channel layer)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from apps.execution.realtime import BOT_MESSAGES, owner_group
from apps.execution.services.bots import bot_stop
from apps.realtime.publish import publish
from config.asgi import application

from .helpers import START, first_entry_candle, running_bot, step_on_time, store_around

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 10


def signed_in_client(username: str, password: str) -> tuple[Client, bytes]:
    """A browser's session: its client (to sign out with) and its cookie (for the socket)."""
    client = Client()
    assert client.login(username=username, password=password)
    return client, f"sessionid={client.cookies['sessionid'].value}".encode()


def cookie_of(username: str, password: str) -> bytes:
    return signed_in_client(username, password)[1]


def communicator(path: str, cookie: bytes | None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost")]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


async def messages_until(comm, kind: str) -> list[dict[str, Any]]:
    seen = []
    while True:
        message = await comm.receive_json_from(timeout=TIMEOUT)
        if message["type"] == "heartbeat":
            continue
        seen.append(message)
        if message["type"] == kind:
            return seen


@pytest.fixture
def bot(ana, btc_symbol, btc_5m_candles):
    store_around(btc_symbol, btc_5m_candles, START)
    return running_bot(ana, btc_symbol)


def test_the_owner_sees_orders_fills_equity_and_status_after_commit(bot, ana, bob):
    ana_cookie, bob_cookie = cookie_of("ana", "pw-ana-123"), cookie_of("bob", "pw-bob-123")

    def rolled_back_stop():
        with transaction.atomic():
            bot_stop(bot=bot, close_position=False)
            transaction.set_rollback(True)

    async def scenario():
        mine = communicator("/ws/bots/", ana_cookie)
        one = communicator(f"/ws/bots/{bot.pk}/", ana_cookie)
        theirs = communicator("/ws/bots/", bob_cookie)
        for comm in (mine, one, theirs):
            assert (await comm.connect())[0]
        snapshot = await mine.receive_json_from(timeout=TIMEOUT)
        assert snapshot["type"] == "ready" and snapshot["bots"][0]["status"] == "running"
        assert (await one.receive_json_from(timeout=TIMEOUT))["bots"][0]["bot"] == bot.pk
        assert (await theirs.receive_json_from(timeout=TIMEOUT))["bots"] == []
        start_seq = snapshot["bots"][0]["event_seq"]
        assert start_seq >= 1  # "running from ..." was message 1

        await database_sync_to_async(rolled_back_stop)()
        entry = await database_sync_to_async(first_entry_candle)(bot)
        seen = await messages_until(mine, "order")
        assert {m["type"] for m in seen} <= {"equity", "order"}  # no status from the rollback
        assert seen[-1]["candle_ms"] == entry and seen[-1]["bot"] == bot.pk
        assert seen[-2]["type"] == "equity"
        await messages_until(one, "order")

        await database_sync_to_async(step_on_time)(bot, entry + 300_000)
        fills = await messages_until(mine, "position")
        assert any(m["type"] == "fill" for m in fills)

        await database_sync_to_async(bot_stop)(bot=bot, close_position=False)
        status = await messages_until(mine, "status")
        assert status[-1]["status"] == "stopped"
        assert await theirs.receive_nothing(timeout=0.5)  # bob never hears of ana's bot
        for comm in (mine, one, theirs):
            await comm.disconnect()
        # Every message numbered, one after another from the snapshot's number on (the
        # rolled-back stop used none); a new snapshot says it holds them all.
        numbers = [m["seq"] for m in seen + fills + status]
        assert numbers == list(range(start_seq + 1, start_seq + 1 + len(numbers)))
        again = communicator("/ws/bots/", ana_cookie)
        assert (await again.connect())[0]
        resync = await again.receive_json_from(timeout=TIMEOUT)
        assert resync["bots"][0]["event_seq"] == numbers[-1]
        assert resync["heartbeat"] > 0
        await again.disconnect()

    async_to_sync(scenario)()


def test_anonymous_and_other_users_bots_are_refused(bot, bob):
    bob_cookie = cookie_of("bob", "pw-bob-123")

    async def close_code(path: str, cookie: bytes | None) -> int:
        comm = communicator(path, cookie)
        connected, _ = await comm.connect()
        assert connected  # accepted, then closed: browsers only see codes after an accept
        message = await comm.receive_output(timeout=TIMEOUT)
        await comm.disconnect()
        assert message["type"] == "websocket.close"
        return message["code"]

    assert async_to_sync(close_code)("/ws/bots/", None) == 4401
    assert async_to_sync(close_code)(f"/ws/bots/{bot.pk}/", bob_cookie) == 4404
    assert async_to_sync(close_code)(f"/ws/bots/{bot.pk + 1000}/", bob_cookie) == 4404


async def closed_with(comm) -> int | None:
    """The close code, or None when the socket is still open after TIMEOUT."""

    async def close_code() -> int:
        while (message := await comm.receive_output(timeout=TIMEOUT))["type"] != "websocket.close":
            continue  # the snapshot, heartbeats
        return message["code"]

    try:
        return await asyncio.wait_for(close_code(), TIMEOUT)
    except TimeoutError:
        return None


async def still_open(comm) -> bool:
    """Heartbeats still flow (REALTIME_HEARTBEAT_SECONDS is short in these tests)."""
    for _ in range(20):
        message = await comm.receive_output(timeout=TIMEOUT)
        if message["type"] != "websocket.send":
            return False
        if '"heartbeat"' in message["text"]:
            return True
    return False


@pytest.fixture
def quick_heartbeat(settings):
    settings.REALTIME_HEARTBEAT_SECONDS = 0.3


def test_signing_out_closes_the_sockets_of_that_session_only(ana, bob, quick_heartbeat):
    first, first_cookie = signed_in_client("ana", "pw-ana-123")
    _, second_cookie = signed_in_client("ana", "pw-ana-123")
    _, bob_cookie = signed_in_client("bob", "pw-bob-123")

    async def scenario():
        signed_out, other_session, other_user = (
            communicator("/ws/bots/", cookie)
            for cookie in (first_cookie, second_cookie, bob_cookie)
        )
        for comm in (signed_out, other_session, other_user):
            assert (await comm.connect())[0]
        answer = await database_sync_to_async(first.post)("/api/auth/logout/")
        assert answer.status_code == 204
        assert await closed_with(signed_out) == 4401
        assert await still_open(other_session) and await still_open(other_user)
        for comm in (signed_out, other_session, other_user):
            await comm.disconnect()
        refused = communicator("/ws/bots/", first_cookie)  # the ended session cannot reopen one
        assert (await refused.connect())[0] and await closed_with(refused) == 4401
        await refused.disconnect()

    async_to_sync(scenario)()


def test_logging_out_everywhere_closes_every_socket_of_the_user_and_no_one_elses(
    ana, bob, quick_heartbeat
):
    first, first_cookie = signed_in_client("ana", "pw-ana-123")
    _, second_cookie = signed_in_client("ana", "pw-ana-123")
    _, bob_cookie = signed_in_client("bob", "pw-bob-123")

    async def scenario():
        mine = [communicator(path, first_cookie) for path in ("/ws/bots/", "/ws/bots/")]
        mine.append(communicator("/ws/bots/", second_cookie))
        theirs = communicator("/ws/bots/", bob_cookie)
        for comm in (*mine, theirs):
            assert (await comm.connect())[0]
        answer = await database_sync_to_async(first.post)("/api/auth/logout-all/")
        assert answer.status_code == 204
        for comm in mine:
            assert await closed_with(comm) == 4401
        assert await still_open(theirs)
        for comm in (*mine, theirs):
            await comm.disconnect()

    async_to_sync(scenario)()


def test_an_open_socket_keeps_its_group_past_the_layers_group_expiry(ana, settings):
    """channels_redis forgets a group member after group_expiry (a day in production): an open
    socket renews its membership, so a page left open longer still hears its bots."""
    settings.CHANNEL_LAYERS = {
        "default": {
            **settings.CHANNEL_LAYERS["default"],
            "CONFIG": {**settings.CHANNEL_LAYERS["default"]["CONFIG"], "group_expiry": 2},
        }
    }
    settings.REALTIME_HEARTBEAT_SECONDS = 0.5
    settings.REALTIME_GROUP_RENEW_SECONDS = 1.0
    _, cookie = signed_in_client("ana", "pw-ana-123")

    async def scenario():
        comm = communicator("/ws/bots/", cookie)
        assert (await comm.connect())[0]
        assert (await comm.receive_json_from(timeout=TIMEOUT))["type"] == "ready"
        await asyncio.sleep(5)  # 2.5 times the group expiry
        message = {"bot": 1, "kind": "status", "seq": 1, "status": "running"}
        await database_sync_to_async(publish)(owner_group(ana.pk), BOT_MESSAGES, [message])
        seen = await asyncio.wait_for(messages_until(comm, "status"), TIMEOUT)
        assert seen[-1]["seq"] == 1
        await comm.disconnect()

    async_to_sync(scenario)()
