"""From "a new closed candle is stored" to every bot on it stepped once (docs/bots.md).

The datafeeds refresh stores candles and, in the same transaction, calls `candles_stored` (a hook
registered by this app; datafeeds never imports it), which writes the fan-out task to the outbox.
When bots step on that series, one task per strategy key computes the key's signals once (the
cache shares them) and steps its bots, in chunks spread over the workers of the bots queue.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any

from django.db.models import Q

from apps.datafeeds.selectors import candles_window
from apps.datafeeds.timeframes import timeframe_ms
from apps.ops.enqueue import task_send_on_commit
from apps.realtime.publish import publishing_batched
from apps.strategies.registry import strategy_spec

from ..models import LIVE_ORDER_STATES, Bot, BotStatus
from ..task_names import BOTS_STEP, CANDLE_CLOSED
from .signals import candle_signals
from .step import StepResult, bots_step_batch

logger = logging.getLogger(__name__)

STEP_CHUNK = 100  # bots per step task: enough to amortise the task, small enough to spread


def bots_stepping_on(*, symbol_id: int, timeframe: str):
    """Bots that act on this series: running or stopping, or killed with an order to fill."""
    return Bot.objects.filter(symbol_id=symbol_id, timeframe=timeframe).filter(
        Q(status__in=(BotStatus.RUNNING, BotStatus.STOPPING))
        | Q(status=BotStatus.KILLED, orders__state__in=LIVE_ORDER_STATES)
    )


def candles_stored(*, symbol_id: int, timeframe: str, last_open_ms: int) -> None:
    """The hook the datafeeds storage calls inside the transaction that inserted candles: when
    any bot steps on this series, the fan-out for its newest candle is written to the outbox
    with the candles (sent after the commit), so a stored candle never loses its step to a
    broker outage (one query when no bot steps on it)."""
    if not bots_stepping_on(symbol_id=symbol_id, timeframe=timeframe).exists():
        return
    task_send_on_commit(CANDLE_CLOSED, symbol_id, timeframe, last_open_ms)


def step_groups(*, symbol_id: int, timeframe: str) -> list[list[int]]:
    """The stepping bots' ids in chunks of about STEP_CHUNK for the step tasks: bots of one
    signal key (strategy, params, signal start) stay together (a key larger than a chunk is
    cut), small keys share a chunk, so a few tasks cover a symbol."""
    groups: dict[Any, list[int]] = defaultdict(list)
    rows = (
        bots_stepping_on(symbol_id=symbol_id, timeframe=timeframe)
        .distinct()
        .order_by("id")
        .values_list("id", "strategy", "params", "signals_from_ms")
    )
    for bot_id, strategy, params, signals_from in rows:
        groups[(strategy, json.dumps(params, sort_keys=True), signals_from)].append(bot_id)
    chunks: list[list[int]] = []
    current: list[int] = []
    for ids in groups.values():
        for part in (ids[i : i + STEP_CHUNK] for i in range(0, len(ids), STEP_CHUNK)):
            if current and len(current) + len(part) > STEP_CHUNK:
                chunks.append(current)
                current = []
            current = current + part
    if current:
        chunks.append(current)
    return chunks


def candle_closed_fanout(*, symbol_id: int, timeframe: str, candle_ms: int) -> int:
    """Enqueue one step task per chunk of bots (after this transaction commits, if any)."""
    chunks = step_groups(symbol_id=symbol_id, timeframe=timeframe)
    for chunk in chunks:
        task_send_on_commit(BOTS_STEP, chunk, candle_ms)
    return len(chunks)


def bots_step_many(
    *, bot_ids: list[int], candle_ms: int, now_ms: int | None = None
) -> list[StepResult]:
    """Step bots of one series at one candle: the series' recent bars are read once, each
    signal key's signals computed (or read from the cache) once, and the bots stepped in one
    transaction. One bot's failure never stops the others."""
    bots = list(
        Bot.objects.select_related("symbol")
        .filter(pk__in=bot_ids)
        .order_by("id")
        .only("id", "strategy", "params", "signals_from_ms", "status", "timeframe", "symbol")
    )
    if not bots:
        return []
    bars = _recent_bars(bots[0], bot_ids, candle_ms)
    by_key: dict[Any, list[Bot]] = defaultdict(list)
    for bot in bots:
        by_key[(bot.strategy, json.dumps(bot.params, sort_keys=True), bot.signals_from_ms)].append(
            bot
        )
    signals = {}
    for members in by_key.values():
        shared = _shared_signals(members[0], candle_ms)
        signals.update((bot.pk, shared) for bot in members)
    with publishing_batched():
        return bots_step_batch(
            bot_ids=[bot.pk for bot in bots],
            candle_ms=candle_ms,
            now_ms=now_ms,
            bars=bars,
            signals=signals,
        )


def _shared_signals(bot: Bot, candle_ms: int):
    if bot.status != BotStatus.RUNNING or bot.signals_from_ms is None:
        return None
    try:
        return candle_signals(
            spec=strategy_spec(bot.strategy),
            params=bot.params,
            symbol=bot.symbol,
            signals_from_ms=bot.signals_from_ms,
            candle_ms=candle_ms,
        )
    except Exception:  # each bot's own step computes again and records the error
        return None


def _recent_bars(first: Bot, bot_ids: list[int], candle_ms: int):
    """The base candles every bot of the chunk may need: from the earliest last-processed one."""
    starts = Bot.objects.filter(pk__in=bot_ids).values_list("last_candle_ms", "span_start_ms")
    bar = timeframe_ms(first.timeframe)
    earliest = min(
        (last + bar if last is not None else (span or candle_ms)) for last, span in starts
    )
    return candles_window(
        symbol=first.symbol,
        timeframe=first.timeframe,
        start_ms=min(earliest, candle_ms),
        end_ms=candle_ms,
    )
