"""Bots stepped by real Celery worker processes over the Redis broker."""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError, transaction

from apps.analytics.tests.test_workers import Workers
from apps.datafeeds.storage import candles_upsert
from apps.execution.models import Bot, BotDecision
from apps.execution.tasks import bot_step_task, bots_step
from apps.ops.models import OutboxTask
from apps.ops.redis_state import broker_redis, queue_depths
from config.celery import app
from tests.workers import wait_until_idle

from .helpers import BAR, START, running_bot, store_around

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 60.0
YEARS = 10 * 365 * 86_400.0  # a staleness limit that lets 2024 candles count as fresh


@pytest.fixture
def workers(python, subprocess_env, transactional_db, tmp_path):
    app.control.purge()
    started = Workers(python, subprocess_env, tmp_path)
    yield started
    started.stop()


def wait_for(predicate, workers: Workers, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        assert time.monotonic() < deadline, f"{what}\n{workers.output()}"
        time.sleep(0.05)


def test_a_stored_candle_steps_every_bot_on_it_once(workers, ana, btc_symbol, btc_5m_candles):
    workers.start("a", "b")
    store_around(btc_symbol, btc_5m_candles, START, days_after=0)  # up to the span start
    bots = [
        running_bot(ana, btc_symbol, name=f"b{i}", staleness_seconds=YEARS, params=params)
        for i, params in enumerate(
            [{"fast_period": 12, "slow_period": 26}] * 3 + [{"fast_period": 5, "slow_period": 20}]
        )
    ]
    rows = btc_5m_candles.rows()
    new = rows[(btc_5m_candles.open_time >= START) & (btc_5m_candles.open_time < START + 3 * BAR)]
    for row in new:  # three refreshes, one new closed candle each
        candles_upsert(symbol=btc_symbol, timeframe="5m", rows=row[None, :])
        candle = int(row[0])
        wait_for(
            lambda candle=candle: BotDecision.objects.filter(candle_ms=candle).count() == 4,
            workers,
            f"not every bot decided {candle}",
        )
    assert BotDecision.objects.count() == 12
    assert {b.last_candle_ms for b in Bot.objects.filter(pk__in=[b.pk for b in bots])} == {
        START + 2 * BAR
    }


def test_two_workers_stepping_the_same_bot_at_once_decide_once(
    workers, ana, btc_symbol, btc_5m_candles
):
    hostnames = workers.start("a", "b")
    store_around(btc_symbol, btc_5m_candles, START)
    bot = running_bot(ana, btc_symbol, staleness_seconds=YEARS)
    candles = [START + k * BAR for k in range(5)]
    for candle in candles:  # each candle delivered six times, interleaved over two workers
        for _ in range(6):
            bot_step_task.delay(bot.pk, candle)
    wait_for(
        lambda: Bot.objects.get(pk=bot.pk).last_candle_ms == candles[-1],
        workers,
        "the bot did not reach the last candle",
    )
    # Every duplicate delivered and done.
    wait_until_idle(app, list(hostnames.values()), output=workers.output)
    decided = list(BotDecision.objects.filter(bot=bot).values_list("candle_ms", flat=True))
    assert sorted(decided) == candles


def test_a_worker_killed_inside_a_step_loses_and_duplicates_nothing(
    python, subprocess_env, transactional_db, tmp_path, ana, btc_symbol, btc_5m_candles
):
    """SIGKILL the worker while it holds the bots' locks inside the step transaction: the
    transaction rolls back, the unacknowledged message comes back after the visibility timeout
    to the other worker, which steps every bot once."""
    import os
    import signal

    from django.db import connection

    app.control.purge()
    env = {**subprocess_env, "TEST_VISIBILITY_TIMEOUT": "4"}
    slow = Workers(python, {**env, "TEST_STEP_DELAY": "3"}, tmp_path)
    fast = Workers(python, env, tmp_path)
    try:
        store_around(btc_symbol, btc_5m_candles, START)
        bots = [
            running_bot(ana, btc_symbol, name=f"k{i}", staleness_seconds=YEARS) for i in range(3)
        ]
        _start(slow, "slow")
        bots_step.delay([b.pk for b in bots], START)

        def lock_taken() -> bool:
            """True once the slow worker holds the bot's row lock (inside its step)."""
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT 1 FROM bots WHERE id = %s FOR UPDATE NOWAIT", [bots[0].pk]
                    )
                return False
            except OperationalError:
                return True

        wait_for(lock_taken, slow, "the slow worker never started the step")
        victim = slow.processes["slow"]
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        assert not BotDecision.objects.exists()  # rolled back with the killed connection
        hostnames = _start(fast, "fast")
        wait_for(
            lambda: BotDecision.objects.filter(candle_ms=START).count() == 3,
            fast,
            "the redelivered step did not decide",
        )
        wait_until_idle(app, list(hostnames.values()), output=fast.output)
        assert BotDecision.objects.count() == 3
        assert all(
            b.last_candle_ms == START for b in Bot.objects.filter(pk__in=[x.pk for x in bots])
        )
    finally:
        slow.stop()
        fast.stop()


def _start(workers: Workers, name: str) -> dict[str, str]:
    """A worker of the bots' test app (its TEST_STEP_DELAY slows the steps down)."""
    return workers.start(name, app_module="apps.execution.tests.worker_app")


def test_a_stored_candle_writes_its_bots_step_with_it(ana, btc_symbol, btc_5m_candles):
    store_around(btc_symbol, btc_5m_candles, START, days_after=0)
    running_bot(ana, btc_symbol)
    new = btc_5m_candles.rows()[btc_5m_candles.open_time == START][0]
    with pytest.raises(RuntimeError), transaction.atomic():
        candles_upsert(symbol=btc_symbol, timeframe="5m", rows=new[None, :])
        step = OutboxTask.objects.get(task="execution.candle_closed")
        assert step.args == [btc_symbol.pk, "5m", START]
        raise RuntimeError  # the candle is not stored: neither is its step
    assert not OutboxTask.objects.filter(task="execution.candle_closed").exists()
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=new[None, :])
    assert queue_depths(broker_redis(), ["bots"])["bots"] >= 1 and not OutboxTask.objects.exists()
