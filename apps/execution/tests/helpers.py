"""Shared set-ups of the bot tests."""

from __future__ import annotations

from django.db import transaction

from apps.datafeeds.storage import candles_upsert
from apps.datafeeds.times import parse_time_ms
from apps.execution.models import Bot, BotOrder
from apps.execution.services.bots import bot_create, bot_running_from
from apps.execution.services.step import StepOutcome, bot_step

BAR = 300_000  # 5m in ms
START = parse_time_ms("2024-05-01")
EMA = {"fast_period": 12, "slow_period": 26}


def store_around(symbol, candles, start_ms: int, days_before: int = 1, days_after: int = 3):
    """Only the 5m candles a short test reads (cheap): a day of warm-up and a few days."""
    times = candles.open_time
    keep = (times >= start_ms - days_before * 86_400_000) & (
        times < start_ms + days_after * 86_400_000
    )
    candles_upsert(symbol=symbol, timeframe="5m", rows=candles.rows()[keep])


def running_bot(
    owner, symbol, *, start_ms: int = START, strategy="ema-cross", params=None, **kw
) -> Bot:
    bot = bot_create(
        owner=owner,
        name=kw.pop("name", "bot"),
        strategy=strategy,
        symbol=symbol,
        params=EMA if params is None else params,
        **kw,
    )
    with transaction.atomic():
        locked = Bot.objects.select_for_update().get(pk=bot.pk)
        bot_running_from(bot=locked, span_start_ms=start_ms, signals_from_ms=start_ms)
    return bot


def step_on_time(bot: Bot, candle_ms: int, **kw):
    return bot_step(bot_id=bot.pk, candle_ms=candle_ms, now_ms=candle_ms + BAR + 1_000, **kw)


def first_entry_candle(bot: Bot, start_ms: int = START, limit: int = 600) -> int:
    """Step on time until the bot orders an entry; that candle."""
    for k in range(limit):
        candle = start_ms + k * BAR
        assert step_on_time(bot, candle).outcome == StepOutcome.DECIDED
        if BotOrder.objects.filter(bot=bot, candle_ms=candle, leg="entry").exists():
            return candle
    raise AssertionError("no entry")
