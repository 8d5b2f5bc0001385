"""Celery tasks of the bots (queue "bots": every task here is named execution.*).

Thin: each takes ids and plain values and calls a service. Steps are idempotent per (bot,
candle) (the bot's row lock and the unique decision), so they are acknowledged late and a
redelivered message is harmless: it finds the candle decided and changes nothing.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.db.models import Q

from . import task_names as names
from .models import LIVE_ORDER_STATES, Bot, BotMode, BotStatus, OrderState
from .services.audit import bot_books_audit
from .services.bots import bot_stop
from .services.fanout import bots_step_many, candle_closed_fanout
from .services.live import live_sync
from .services.step import bot_step
from .services.warmup import bot_symbol_prepare
from .services.watch import bots_watch as watch

_DB_ERRORS = (OperationalError, InterfaceError)  # the database away: worth another try


@shared_task(
    name=names.START_BOT,
    acks_late=True,
    autoretry_for=_DB_ERRORS,
    max_retries=3,
    retry_backoff=2,
    ignore_result=True,
)
def start_bot(bot_id: int) -> dict:
    """After a bot is set running: its symbol's timeframes are tracked by the refresh, and
    what the warm-up lacks is fetched."""
    return bot_symbol_prepare(bot_id=bot_id)


@shared_task(
    name=names.STOP_BOT,
    acks_late=True,
    autoretry_for=_DB_ERRORS,
    max_retries=3,
    retry_backoff=2,
    ignore_result=True,
)
def stop_bot(bot_id: int, close_position: bool = False) -> str:
    bot = Bot.objects.filter(pk=bot_id).first()
    if bot is None:
        return "missing"
    return bot_stop(bot=bot, close_position=close_position).status


@shared_task(
    name=names.CANDLE_CLOSED,
    acks_late=True,
    autoretry_for=_DB_ERRORS,
    max_retries=3,
    retry_backoff=1,
    ignore_result=True,
)
def candle_closed(symbol_id: int, timeframe: str, candle_ms: int) -> int:
    """A new closed candle of the series is stored: step every bot on it, once."""
    return candle_closed_fanout(symbol_id=symbol_id, timeframe=timeframe, candle_ms=candle_ms)


@shared_task(
    name=names.BOTS_STEP,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=_DB_ERRORS,
    max_retries=3,
    retry_backoff=1,
    ignore_result=True,
)
def bots_step(bot_ids: list[int], candle_ms: int) -> int:
    return len(bots_step_many(bot_ids=bot_ids, candle_ms=candle_ms))


@shared_task(
    name=names.BOT_STEP,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=_DB_ERRORS,
    max_retries=3,
    retry_backoff=1,
    ignore_result=True,
)
def bot_step_task(bot_id: int, candle_ms: int) -> str:
    """One bot, one candle (the per-candle step; bots_step does it for many)."""
    return bot_step(bot_id=bot_id, candle_ms=candle_ms).outcome


@shared_task(
    name=names.BOT_ORDERS_SYNC,
    acks_late=True,
    autoretry_for=_DB_ERRORS,
    max_retries=3,
    retry_backoff=2,
    ignore_result=True,
)
def bot_orders_sync(bot_id: int) -> int:
    """A live bot's orders brought to the exchange's truth (after a stop: cancels and the
    closing order). Safe to repeat: every send is claimed once, every answer recorded once."""
    return len(live_sync(bot_id=bot_id).recorded)


@shared_task(name=names.RECONCILE_BOTS, ignore_result=True)
def reconcile_bots() -> int:
    """Periodic: every running paper bot's books checked; every live bot running, with orders
    in flight or with sent orders booked failed/cancelled that the exchange has not settled,
    synchronised with its exchange (after any restart, before its next step), its holdings
    checked against the books."""
    unsettled = Q(
        orders__state__in=(OrderState.FAILED, OrderState.CANCELLED),
        orders__send_attempts__gt=0,
        orders__exchange_order_id="",
        orders__orphan_checked_at__isnull=True,
    )
    live = Bot.objects.filter(mode=BotMode.LIVE).filter(
        Q(status__in=(BotStatus.RUNNING, BotStatus.STOPPING))
        | Q(orders__state__in=LIVE_ORDER_STATES)
        | unsettled
    )
    problems = 0
    for bot_id in live.distinct().values_list("pk", flat=True):
        problems += bool(live_sync(bot_id=bot_id, holdings=True).error)
    ids = Bot.objects.filter(
        mode=BotMode.PAPER, status__in=(BotStatus.RUNNING, BotStatus.STOPPING)
    ).values_list("pk", flat=True)
    for bot_id in ids:
        problems += not bot_books_audit(bot_id=bot_id).ok
    return problems


@shared_task(name=names.BOTS_WATCH, ignore_result=True)
def bots_watch() -> int:
    """Periodic, on the ingest queue (CELERY_TASK_ROUTES): stalls that started or ended are
    recorded as the bots' events (services/watch.py)."""
    return watch()
