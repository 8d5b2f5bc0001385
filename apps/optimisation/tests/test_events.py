"""A study's progress pushed over /ws/backtests/ as {"type": "study"} (events.py; the analytics
consumer forwards it), through the real ASGI stack and the Redis channel layer."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from apps.datafeeds.times import parse_time_ms
from apps.optimisation.services import study_create, study_work

pytestmark = pytest.mark.django_db(transaction=True)

APRIL = parse_time_ms("2024-04-01")
TIMEOUT = 5  # seconds for any one expected message


def cookie_of(username: str, password: str) -> bytes:
    client = Client()
    assert client.login(username=username, password=password)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def listening(cookie: bytes) -> WebsocketCommunicator:
    from config.asgi import application

    comm = WebsocketCommunicator(
        application,
        "/ws/backtests/",
        headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)],
    )
    connected, _ = await comm.connect()
    assert connected
    assert (await comm.receive_json_from(timeout=TIMEOUT))["type"] == "ready"
    return comm


def small_grid_study(owner, symbol, sma_periods: tuple[int, int, int]):
    low, high, step = sma_periods
    return study_create(
        owner=owner,
        strategy="hma-sma",
        symbol=symbol,
        start_ms=APRIL,
        end_ms=APRIL + 5 * 86_400_000,
        space={"sma_period": {"low": low, "high": high, "step": step}},
        sampler="grid",
        min_trades=0,
    )


def test_the_owner_sees_each_trial_and_the_end_of_a_study(ana, bob, btc, settings):
    settings.OPTIMISATION_PROGRESS_SECONDS = 0  # after every trial
    study = small_grid_study(ana, btc, (100, 200, 100))

    ana_cookie, bob_cookie = cookie_of("ana", "pw-ana-123"), cookie_of("bob", "pw-bob-123")

    async def scenario():
        mine = await listening(ana_cookie)
        bobs = await listening(bob_cookie)
        await sync_to_async(study_work)(study_id=study.pk)
        seen = []
        while not seen or seen[-1]["status"] != "done":
            message = await mine.receive_json_from(timeout=TIMEOUT)
            assert message["type"] == "study" and message["study"]["id"] == study.pk
            seen.append(message["study"])
        assert [s["trials_done"] for s in seen] == [1, 2, 2, 2]  # each trial, finishing, done
        assert seen[-1]["best_params"] is not None
        assert await bobs.receive_nothing(timeout=0.5)  # nothing of another user's study
        await mine.disconnect()
        await bobs.disconnect()

    async_to_sync(scenario)()


def test_progress_is_written_at_most_once_per_interval_and_always_at_the_end(ana, btc, settings):
    settings.OPTIMISATION_PROGRESS_SECONDS = 3600
    study = small_grid_study(ana, btc, (100, 300, 50))
    cookie = cookie_of("ana", "pw-ana-123")

    async def scenario():
        mine = await listening(cookie)
        await sync_to_async(study_work)(study_id=study.pk)
        seen = []
        while not seen or seen[-1]["status"] != "done":
            seen.append((await mine.receive_json_from(timeout=TIMEOUT))["study"])
        # The first trial, then nothing for the interval, then the finished study.
        assert [s["trials_done"] for s in seen] == [1, 5, 5]
        await mine.disconnect()

    async_to_sync(scenario)()
