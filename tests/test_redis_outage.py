"""A Redis outage through the real stack: uvicorn, a Celery worker and celery beat on a Redis of
the test's own, which the test stops and starts again; candles arrive through the import CLI.

While Redis is away the API keeps answering reads (200, never a 500), a backtest can still be
created, a candle can still be stored, a socket is closed with a close frame that says so. Once
it is back, the candle stored during the outage gets its decision, the backtest runs, and every
socket slot is free. With the worker (not Redis) down across a candle close, the decision comes
when it is back. Each candle gets exactly one decision.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import redis
import requests
from asgiref.sync import async_to_sync
from django.test import Client
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from apps.accounts.models import ApiToken
from apps.analytics.models import BacktestRun, BacktestStatus
from apps.analytics.services import backtest_run_create, backtest_run_execute
from apps.execution.models import BotDecision
from apps.execution.tests.helpers import BAR, START, running_bot, store_around
from apps.ops.models import OutboxTask
from apps.ops.tests.processes import Processes, free_port, wait_http
from apps.realtime.protocol import CLOSE_UNAVAILABLE, MESSAGE_READY
from tests.workers import celery_worker_argv

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
YEARS = 10 * 365 * 86_400.0  # 2024 candles count as fresh: each one is decided, not skipped
TIMEOUT = 90.0  # seconds for anything the worker does (its start-up included)
CAP = 4  # replay sockets per user


def until(predicate, what: str, processes: Processes, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"{what}\n{processes.output()}"
        time.sleep(0.1)
    return value


class Platform:
    """uvicorn, one worker and beat on `redis_url`, the test's database."""

    def __init__(self, python, base_env, redis_url, tmp_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **base_env,
            "REDIS_URL": f"{redis_url}/0",
            "CELERY_BROKER_URL": f"{redis_url}/1",
            "CELERY_RESULT_BACKEND": f"{redis_url}/1",
            "CACHE_URL": f"{redis_url}/2",
            "MARKET_DATA_CACHE_SECONDS": "600",  # the cache in use, as in production
            "OPS_OUTBOX_SWEEP_SECONDS": "1",
            "OPS_OUTBOX_GRACE_SECONDS": "1",
            "REPLAY_MAX_SOCKETS_PER_USER": str(CAP),
            "DJANGO_DEBUG": "False",
        }
        self.python = python
        self.root = Path(base_env["PYTHONPATH"])  # the project: manage.py, config
        self.processes = Processes(tmp_path, cwd=self.root)
        self.csv_dir = tmp_path

    def start(self) -> None:
        self.processes.start(
            "web",
            [self.python, "-m", "uvicorn", "config.asgi:application", "--port", str(self.port)],
            self.env,
        )
        self.worker_start()
        beat = [self.python, "-m", "celery", "-A", "config", "beat", "--loglevel", "warning"]
        self.processes.start("beat", beat, self.env)
        wait_http(f"{self.url}/healthz", status=200, timeout=60, processes=self.processes)

    def worker_start(self) -> None:
        argv, _ = celery_worker_argv(self.python, name="outage")
        self.processes.start("worker", argv, self.env)

    def candle_import(self, row: np.ndarray) -> None:
        """One closed candle, stored the way a user imports a file."""
        path = self.csv_dir / f"candle-{int(row[0])}.csv"
        values = ",".join(str(v) for v in [int(row[0]), *row[1:].tolist()])
        path.write_text(f"timestamp,open,high,low,close,volume\n{values}\n")
        command = [self.python, "manage.py", "import_ohlcv", "BTCUSDT", "5m", str(path)]
        done = subprocess.run(
            command, env=self.env, cwd=self.root, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def platform(python, subprocess_env, private_redis, tmp_path):
    started = Platform(python, subprocess_env, private_redis.url, tmp_path)
    yield started
    # Killed after 5 s: uvicorn may wait much longer for the sockets it served to wind down.
    started.processes.stop_all(timeout=5)


def decided(bot, candle_ms: int) -> int:
    return BotDecision.objects.filter(bot=bot, candle_ms=candle_ms).count()


def replay_sockets(platform: Platform, run_id: int, cookie: str, count: int):
    """Open `count` replay sockets at once: each one's first message, or its close code."""

    async def one():
        try:
            async with connect(
                f"ws://127.0.0.1:{platform.port}/ws/backtests/{run_id}/replay/",
                additional_headers={"Cookie": cookie},
                origin="http://localhost",
                open_timeout=30,
            ) as ws:
                return json.loads(await asyncio.wait_for(ws.recv(), 30))["type"]
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    async def all_of_them():
        return await asyncio.gather(*(one() for _ in range(count)))

    return async_to_sync(all_of_them)()


def test_a_redis_outage_costs_no_decision_no_page_and_no_socket_slot(
    platform, private_redis, ana, btc_symbol, btc_5m_candles
):
    store_around(btc_symbol, btc_5m_candles, START, days_before=1, days_after=0)
    bot = running_bot(ana, btc_symbol, staleness_seconds=YEARS)
    replayed = backtest_run_create(
        owner=ana,
        strategy="ema-cross",
        symbol=btc_symbol,
        params={"fast_period": 12, "slow_period": 26},
        start_ms=START - 12 * 3_600_000,
        end_ms=START,
    )
    backtest_run_execute(run_id=replayed.pk)
    browser = Client()
    assert browser.login(username="ana", password="pw-ana-123")
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    _, token = ApiToken.objects.create(user=ana, name="outage")
    api = requests.Session()
    api.headers["Authorization"] = f"Token {token}"
    rows = btc_5m_candles.rows()
    candle = {k: rows[btc_5m_candles.open_time == START + k * BAR][0] for k in range(3)}
    processes = platform.processes

    platform.start()
    platform.candle_import(candle[0])
    until(lambda: decided(bot, START), "no decision for the first candle", processes)

    # --- Redis away ------------------------------------------------------------------------
    private_redis.stop(keep_data=True)
    reads = [
        "/api/datafeeds/symbols/",
        "/api/datafeeds/candles/?symbol=BTCUSDT&timeframe=5m&limit=50",
        "/api/execution/bots/",
        f"/api/execution/bots/{bot.pk}/",
        f"/api/execution/bots/{bot.pk}/events/",
        "/api/analytics/backtests/",
        f"/api/analytics/backtests/{replayed.pk}/",
    ]
    for path in reads:
        for _ in range(3):  # the throttles count in the process meanwhile
            response = api.get(platform.url + path, timeout=30)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
    anonymous = requests.get(f"{platform.url}/api/datafeeds/symbols/", timeout=30)
    assert anonymous.status_code == 200
    assert requests.get(f"{platform.url}/readyz", timeout=30).status_code == 503
    created = api.post(
        f"{platform.url}/api/analytics/backtests/",
        json={
            "strategy": "ema-cross",
            "symbol": "BTCUSDT",
            "start": START // 1000 - 86_400,
            "end": START // 1000,
        },
        timeout=30,
    )
    assert created.status_code == 202, created.text[:300]  # queued
    platform.candle_import(candle[1])  # stored; its step waits in the outbox
    assert OutboxTask.objects.filter(task="execution.candle_closed").exists()
    assert decided(bot, START + BAR) == 0
    assert replay_sockets(platform, replayed.pk, cookie, 1) == [CLOSE_UNAVAILABLE]

    # --- Redis back ----------------------------------------------------------------------------
    private_redis.start()
    until(lambda: decided(bot, START + BAR), "the outage's candle was never decided", processes)
    until(lambda: not OutboxTask.objects.exists(), "the outbox was not drained", processes)
    until(
        lambda: BacktestRun.objects.get(pk=created.json()["id"]).status == BacktestStatus.DONE,
        "the backtest created during the outage never ran",
        processes,
    )
    assert replay_sockets(platform, replayed.pk, cookie, CAP) == [MESSAGE_READY] * CAP
    slots = redis.Redis.from_url(f"{private_redis.url}/0")
    until(
        lambda: slots.zcard(f"realtime:slots:replay:{ana.pk}") == 0,
        "socket slots still held after every socket closed",
        processes,
        timeout=30,
    )

    # --- The worker away across a candle close ----------------------------------------------------
    processes.stop("worker")
    platform.candle_import(candle[2])  # sent to the broker, where it waits for a worker
    assert decided(bot, START + 2 * BAR) == 0
    platform.worker_start()
    until(lambda: decided(bot, START + 2 * BAR), "the decision never came", processes)

    for k in range(3):
        assert decided(bot, START + k * BAR) == 1
    assert " 500 " not in processes.log("web")
