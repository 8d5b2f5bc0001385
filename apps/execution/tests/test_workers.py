"""Bots stepped by real Celery worker processes over the Redis broker."""

from __future__ import annotations

import time

import pytest

from apps.analytics.tests.test_workers import Workers
from apps.datafeeds.storage import candles_upsert
from apps.execution.models import Bot, BotDecision
from apps.execution.tasks import bot_step_task
from config.celery import app

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
    workers.start("a", "b")
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
    time.sleep(1.0)  # let the duplicates drain
    decided = list(BotDecision.objects.filter(bot=bot).values_list("candle_ms", flat=True))
    assert sorted(decided) == candles
