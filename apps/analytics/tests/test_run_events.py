"""Backtest progress pushed over /ws/backtests/ (events.py, event_consumers.py), through the real
ASGI stack and the Redis channel layer."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from apps.analytics.events import backtest_run_changed
from apps.analytics.models import BacktestRun
from apps.analytics.services import backtest_run_create
from apps.analytics.tasks import backtest_run_task
from apps.datafeeds.storage import candles_upsert
from apps.datafeeds.times import parse_time_ms

from .test_replay import cookie_of

pytestmark = pytest.mark.django_db(transaction=True)

START = parse_time_ms("2024-06-01")
END = parse_time_ms("2024-06-02")
TIMEOUT = 5  # seconds for any one expected message


@pytest.fixture
def queued_run(ana, btc_symbol, btc_5m_candles) -> BacktestRun:
    times = btc_5m_candles.open_time
    keep = (times >= START - 86_400_000) & (times < END + 86_400_000)
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m_candles.rows()[keep])
    return backtest_run_create(
        owner=ana,
        strategy="ema-cross",
        symbol=btc_symbol,
        params={"fast_period": 12, "slow_period": 26},
        start_ms=START,
        end_ms=END,
    )


def socket(path: str, cookie: bytes | None) -> WebsocketCommunicator:
    from config.asgi import application

    headers = [(b"origin", b"http://localhost")]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


async def listening(path: str, cookie: bytes) -> WebsocketCommunicator:
    comm = socket(path, cookie)
    connected, _ = await comm.connect()
    assert connected
    # Redis carries the workers' events: the page can rely on them.
    ready = await comm.receive_json_from(timeout=TIMEOUT)
    assert ready == {"type": "ready", "push": True, "heartbeat": ready["heartbeat"]}
    assert ready["heartbeat"] > 0
    return comm


def test_the_owner_sees_progress_and_the_end_of_a_run_as_the_worker_runs_it(queued_run, ana, bob):
    ana_cookie, bob_cookie = cookie_of("ana", "pw-ana-123"), cookie_of("bob", "pw-bob-123")

    async def scenario():
        all_runs = await listening("/ws/backtests/", ana_cookie)
        this_run = await listening(f"/ws/backtests/{queued_run.pk}/", ana_cookie)
        bobs = await listening("/ws/backtests/", bob_cookie)
        await sync_to_async(backtest_run_task.apply)(args=(queued_run.pk,))
        for comm in (all_runs, this_run):
            seen = []
            while not seen or seen[-1]["status"] not in ("done", "failed"):
                message = await comm.receive_json_from(timeout=TIMEOUT)
                assert message["type"] == "run" and message["run"]["id"] == queued_run.pk
                seen.append(message["run"])
            assert [r["status"] for r in seen] == ["running", "running", "done"]
            assert [r["progress"] for r in seen] == [0.3, 0.6, 1.0]
            assert seen[-1]["kpis"]["number_of_trades"] >= 1
        assert await bobs.receive_nothing(timeout=0.5)  # nothing of another user's run
        for comm in (all_runs, this_run, bobs):
            await comm.disconnect()

    async_to_sync(scenario)()


def test_a_run_socket_only_carries_that_run(queued_run, ana, btc_symbol):
    other = backtest_run_create(
        owner=ana, strategy="ema-cross", symbol=btc_symbol, start_ms=START, end_ms=END
    )
    cookie = cookie_of("ana", "pw-ana-123")

    async def scenario():
        comm = await listening(f"/ws/backtests/{queued_run.pk}/", cookie)
        await sync_to_async(backtest_run_changed)(run_id=other.pk)
        assert await comm.receive_nothing(timeout=0.5)
        await sync_to_async(backtest_run_changed)(run_id=queued_run.pk)
        message = await comm.receive_json_from(timeout=TIMEOUT)
        assert message["run"]["id"] == queued_run.pk and message["run"]["status"] == "queued"
        await comm.disconnect()

    async_to_sync(scenario)()


def test_nothing_is_published_when_the_transaction_rolls_back(queued_run, ana):
    cookie = cookie_of("ana", "pw-ana-123")

    def changed_then_rolled_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            backtest_run_changed(run_id=queued_run.pk)
            raise RuntimeError("rolled back")

    async def scenario():
        comm = await listening("/ws/backtests/", cookie)
        await sync_to_async(changed_then_rolled_back)()
        assert await comm.receive_nothing(timeout=0.5)
        await comm.disconnect()

    async_to_sync(scenario)()


def test_anonymous_is_closed_4401_other_users_and_missing_runs_4404(queued_run, ana, bob):
    bob_cookie = cookie_of("bob", "pw-bob-123")

    async def close_code(path: str, cookie: bytes | None) -> int | None:
        comm = socket(path, cookie)
        connected, _ = await comm.connect()
        assert connected  # accepted, then closed with the code
        output = await comm.receive_output(timeout=TIMEOUT)
        assert output["type"] == "websocket.close"
        return output.get("code")

    async def scenario():
        return [
            await close_code("/ws/backtests/", None),
            await close_code(f"/ws/backtests/{queued_run.pk}/", None),
            await close_code(f"/ws/backtests/{queued_run.pk}/", bob_cookie),
            await close_code("/ws/backtests/999999999/", bob_cookie),
        ]

    assert async_to_sync(scenario)() == [4401, 4401, 4404, 4404]


def test_the_in_memory_layer_says_it_cannot_push_worker_events(settings, ana):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    cookie = cookie_of("ana", "pw-ana-123")

    async def scenario():
        comm = socket("/ws/backtests/", cookie)
        connected, _ = await comm.connect()
        assert connected
        ready = await comm.receive_json_from(timeout=TIMEOUT)
        assert ready["type"] == "ready" and ready["push"] is False
        await comm.disconnect()

    async_to_sync(scenario)()
