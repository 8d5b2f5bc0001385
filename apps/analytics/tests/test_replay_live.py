"""The replay socket as it runs in production: uvicorn, the Redis channel layer (with the
project's Redis client settings), PostgreSQL, and a real WebSocket client. One server for the
module; each test stores what it needs."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.test import Client
from websockets.asyncio.client import ClientConnection, connect

from apps.analytics.models import BacktestStatus
from apps.analytics.replay import MAX_CREDIT
from apps.analytics.selectors import backtest_equity, backtest_trades
from apps.analytics.services import backtest_run_create, backtest_run_execute
from apps.datafeeds.storage import candles_upsert
from apps.datafeeds.times import parse_time_ms

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
TIMEOUT = 15  # seconds for any one expected message (a loaded CI machine is slow)


@pytest.fixture(scope="module")
def server(django_db_setup) -> dict[str, Any]:
    """uvicorn serving config.asgi on the test database, as `make run` starts it."""
    from django.db import connection

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DJANGO_DB_NAME": connection.settings_dict["NAME"],
        "PYTHONPATH": str(ROOT),
        "DJANGO_DEBUG": "False",  # as in production
    }
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "config.asgi:application", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, "uvicorn exited"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.2)
    yield {"url": f"ws://127.0.0.1:{port}", "pid": process.pid}
    # With DJANGO_DEBUG=True, uvicorn on uvloop waits forever on SIGTERM once a WebSocket has
    # been served (also before this branch): never wait long for it.
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stored_run(owner, symbol, candles, start: str | None = None, end: str | None = None):
    """A done ema-cross run over [start, end) (default: the whole series), candles stored."""
    start_ms = parse_time_ms(start) if start else int(candles.open_time[0])
    end_ms = parse_time_ms(end) if end else int(candles.open_time[-1]) + 300_000
    keep = (candles.open_time >= start_ms - 86_400_000) & (candles.open_time < end_ms)
    candles_upsert(symbol=symbol, timeframe="5m", rows=candles.rows()[keep])
    run = backtest_run_create(
        owner=owner,
        strategy="ema-cross",
        symbol=symbol,
        params={"fast_period": 12, "slow_period": 26},
        start_ms=start_ms,
        end_ms=end_ms,
    )
    backtest_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BacktestStatus.DONE
    return run


@pytest.fixture
def cookie(ana) -> str:
    client = Client()
    assert client.login(username="ana", password="pw-ana-123")
    return f"sessionid={client.cookies['sessionid'].value}"


def opening(server, run_id: int, cookie: str):
    return connect(
        f"{server['url']}/ws/backtests/{run_id}/replay/",
        additional_headers={"Cookie": cookie},
        origin="http://localhost",
        max_size=None,
    )


async def next_message(ws: ClientConnection, *, heartbeats: bool = False) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if heartbeats or message["type"] != "heartbeat":
            return message


async def until(ws: ClientConnection, kind: str) -> list[dict[str, Any]]:
    seen = []
    while True:
        seen.append(await next_message(ws))
        if seen[-1]["type"] == kind:
            return seen


def longest_redis_timeout() -> float:
    """The longest timeout or interval configured on any Redis client of the project."""
    layer = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    cache = settings.CACHES["default"]["OPTIONS"]
    broker = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    return max(
        RedisChannelLayer.brpop_timeout,  # the server-side block of the layer's BZPOPMIN
        *(layer[k] for k in ("socket_timeout", "socket_connect_timeout", "health_check_interval")),
        *(cache[k] for k in ("socket_timeout", "socket_connect_timeout", "health_check_interval")),
        *(broker[k] for k in ("socket_timeout", "socket_connect_timeout", "health_check_interval")),
        settings.CELERY_REDIS_SOCKET_TIMEOUT,
        settings.CELERY_REDIS_SOCKET_CONNECT_TIMEOUT,
        settings.CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL,
    )


def test_idle_sockets_outlive_three_times_every_redis_timeout_and_still_answer(
    server, ana, btc_symbol, btc_5m_candles, cookie
):
    """One socket that sends nothing, one that only receives (a candle a second): both still
    answer after 3x the longest Redis timeout. Before the fix both died after ~5 s."""
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    run = stored_run(ana, btc_symbol, btc_5m_candles, "2024-06-01", "2024-06-02")
    idle_for = 3 * longest_redis_timeout() + 1
    assert idle_for < 60, "keep the configured Redis timeouts short enough to test honestly"

    async def listen(ws: ClientConnection, seconds: float) -> list[dict[str, Any]]:
        heard, deadline = [], time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                heard.append(json.loads(await asyncio.wait_for(ws.recv(), left)))
            except TimeoutError:
                break
        return heard

    async def scenario():
        async with opening(server, run.pk, cookie) as quiet, opening(server, run.pk, cookie) as fed:
            for ws in (quiet, fed):
                assert (await next_message(ws))["type"] == "ready"
            await fed.send(json.dumps({"action": "speed", "candles_per_second": 1}))
            await fed.send(json.dumps({"action": "credit", "candles": MAX_CREDIT}))
            began = time.monotonic()
            heard = await asyncio.gather(listen(quiet, idle_for), listen(fed, idle_for))
            lived = time.monotonic() - began
            answers = []
            for ws in (quiet, fed):
                await ws.send(json.dumps({"action": "pause"}))
                answers.append((await until(ws, "paused"))[-1]["type"])
            return heard, lived, answers

    (quiet_heard, fed_heard), lived, answers = async_to_sync(scenario)()
    assert lived >= idle_for and answers == ["paused", "paused"]
    beats = settings.REALTIME_HEARTBEAT_SECONDS
    assert {m["type"] for m in quiet_heard} == {"heartbeat"}
    assert len(quiet_heard) >= int(idle_for // beats) - 1
    fed_candles = [e for m in fed_heard if m["type"] == "batch" for e in m["events"]]
    assert len(fed_candles) >= 3 and fed_candles[0]["index"] == 0


def test_the_whole_real_series_streams_exactly_once_in_order_at_max_speed(
    server, ana, btc_symbol, btc_5m_candles, cookie
):
    """71,769 real 5m candles over uvicorn and Redis, credit granted back as they arrive, while
    a second socket replays the same run: every candle once, in order, then the end."""
    run = stored_run(ana, btc_symbol, btc_5m_candles)
    total = len(btc_5m_candles)

    async def play(ws: ClientConnection) -> list[dict[str, Any]]:
        start = await next_message(ws)
        assert start["total"] == total
        await ws.send(json.dumps({"action": "speed", "candles_per_second": "max"}))
        await ws.send(json.dumps({"action": "credit", "candles": 500}))
        events = []
        while True:
            message = await next_message(ws)
            if message["type"] == "batch":
                events += message["events"]
                await ws.send(json.dumps({"action": "credit", "candles": message["count"]}))
            elif message["type"] == "end":
                return events

    async def scenario():
        async with opening(server, run.pk, cookie) as one, opening(server, run.pk, cookie) as two:
            return await asyncio.gather(play(one), play(two))

    first, second = async_to_sync(scenario)()
    candles = [e for e in first if e["type"] == "candle"]
    assert [c["index"] for c in candles] == list(range(total))
    assert [c["time"] * 1000 for c in candles] == btc_5m_candles.open_time.tolist()
    assert [c["close"] for c in candles] == btc_5m_candles.close.tolist()
    stored = backtest_trades(run=run)
    assert len(stored) > 100
    entries = [(e["trade"], e["time"] * 1000, e["price"]) for e in first if e["type"] == "entry"]
    exits = [(e["trade"], e["time"] * 1000, e["pnl"]) for e in first if e["type"] == "exit"]
    assert entries == [(t["number"], t["entry_time"], t["entry_price"]) for t in stored]
    assert exits == [(t["number"], t["exit_time"], t["pnl"]) for t in stored]
    equity = backtest_equity(run=run)
    assert [c["equity"] for c in candles] == equity.values.tolist()
    assert second == first


def server_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


RSS_BOUND_KIB_PER_SOCKET = 4096  # docs/backtesting.md: at most 4 MiB per open replay socket


def test_server_memory_per_replay_socket_stays_bounded_during_a_long_replay(
    server, ana, btc_symbol, btc_5m_candles, cookie
):
    """Four sockets (the per-user cap) replay the 71,769-bar run at max speed; the server's RSS
    growth over a warmed-up baseline stays under the stated bound per socket throughout. Before
    chunked reads, each socket held the whole run (~44 MB)."""
    run = stored_run(ana, btc_symbol, btc_5m_candles)
    sockets = settings.REPLAY_MAX_SOCKETS_PER_USER

    async def play(ws: ClientConnection, stop_after: int | None = None) -> int:
        await next_message(ws)
        await ws.send(json.dumps({"action": "speed", "candles_per_second": "max"}))
        await ws.send(json.dumps({"action": "credit", "candles": 500}))
        seen = 0
        while True:
            message = await next_message(ws)
            if message["type"] == "batch":
                seen += message["count"]
                if stop_after is not None and seen >= stop_after:
                    return seen
                await ws.send(json.dumps({"action": "credit", "candles": message["count"]}))
            elif message["type"] == "end":
                return seen

    async def scenario():
        async with opening(server, run.pk, cookie) as warm:  # imports, pools, first chunks
            await play(warm, stop_after=20_000)
        baseline = server_rss_kib(server["pid"])
        peak = baseline
        async with asyncio.TaskGroup() as group:
            opened = [await opening(server, run.pk, cookie).__aenter__() for _ in range(sockets)]
            plays = [group.create_task(play(ws)) for ws in opened]
            while not all(p.done() for p in plays):
                peak = max(peak, server_rss_kib(server["pid"]))
                await asyncio.sleep(0.05)
        for ws in opened:
            await ws.close()
        return baseline, peak, [p.result() for p in plays]

    baseline, peak, counts = async_to_sync(scenario)()
    assert counts == [len(btc_5m_candles)] * sockets
    per_socket = (peak - baseline) / sockets
    print(f"replay RSS: baseline {baseline} KiB, peak {peak} KiB, {per_socket:.0f} KiB/socket")
    assert per_socket < RSS_BOUND_KIB_PER_SOCKET


def malformed_frames(seed: int = 8) -> list[str | bytes]:
    """A few hundred frames the replay socket must refuse one by one: huge and non-finite
    numbers, wrong types, deep nesting, not JSON, not objects, binary and oversized frames."""
    rng = random.Random(seed)
    fields = [("speed", "candles_per_second"), ("seek", "time"), ("seek", "index")]
    fields.append(("credit", "candles"))
    huge = ["9" * n for n in (16, 20, 64, 310, 1000, 4000)] + [
        "-" + "9" * n for n in (16, 310, 4000)
    ]
    values = [*huge, "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1e308", "-1", "0.5"]
    values += ['"fast"', '""', "null", "true", "false", "[]", "[1]", "{}", '{"a": 1}']
    values += ["[" * n + "]" * n for n in (1, 50, 500, 1500)]
    frames: list[str | bytes] = []
    for action, name in fields:
        for value in values:
            if (name, value) == ("time", "0.5"):  # a valid time: the first candle
                continue
            frames.append(f'{{"action": "{action}", "{name}": {value}}}')
    for action in ("42", "null", "[]", "{}", '"PAUSE"', '"pause "', '"' + "x" * 3000 + '"'):
        frames.append(f'{{"action": {action}}}')
    frames += ["", " ", "{", "}", "[", '{"action": "pause"', "nul", "'pause'", "{'a': 1}"]
    frames += ["1", "-5", '"pause"', "[]", "[[[]]]", "null", "true", "3.14"]
    frames += ["[" * n for n in (1000, 5000, 100_000)] + ["{" * 3000]
    frames += ['{"a": ' * 2000 + "1" + "}" * 2000]
    frames += ["x" * n for n in (4097, 65_536, 1_000_000)]
    frames += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))) for _ in range(60)]
    frames += [b"", b'{"action": "pause"}', b"\x00" * 100_000]
    frames += ["".join(chr(rng.randrange(32, 0x2FF)) for _ in range(40)) for _ in range(100)]
    return frames


def test_a_few_hundred_malformed_frames_each_get_an_error_and_the_socket_stays_usable(
    server, ana, btc_symbol, btc_5m_candles, cookie
):
    run = stored_run(ana, btc_symbol, btc_5m_candles, "2024-06-01", "2024-06-02")
    frames = malformed_frames()
    assert len(frames) >= 300

    async def scenario():
        async with opening(server, run.pk, cookie) as ws:
            await next_message(ws)
            details = []
            for frame in frames:
                await ws.send(frame)
                reply = await next_message(ws)
                assert reply["type"] == "error", (frame[:80], reply)
                details.append(reply["detail"])
            await ws.send(json.dumps({"action": "credit", "candles": 3}))
            await ws.send(json.dumps({"action": "speed", "candles_per_second": "max"}))
            batch = await until(ws, "batch")
            return details, batch[-1]

    details, batch = async_to_sync(scenario)()
    assert len(details) == len(frames) and all(details)
    assert batch["first"] == 0  # nothing malformed moved the replay
