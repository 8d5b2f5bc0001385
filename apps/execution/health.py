"""Is a running bot deciding? A bot whose decision is late (none one full base bar after the
candle closed) is stalled, and the reason is said in words: no new candles from its exchange
(with the last candle's age, and the exchange's refusal when the download failed), its symbol not
tracked by the refresh, no worker on the bots queue. A live bot that
has waited for its exchange two bars running is stalled too: the exchange refuses or does not
answer. Computed when read (the API, the dashboard) and by the watch task, which records the
changes as events (and alerts); never stored as a status, so that a late bot shows it at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from apps.datafeeds.fetch_state import fetch_failures
from apps.datafeeds.hints import fetch_command
from apps.datafeeds.models import CandleSeries
from apps.datafeeds.timeframes import timeframe_ms
from apps.datafeeds.times import duration_words, format_ms
from apps.ops.redis_state import live_workers, ops_redis
from config.degraded import REDIS_DOWN, dependency_failed

from .models import Bot, BotDecision, BotMode, BotStatus

WAITING = "waiting for the exchange"  # the step's reason while a live bot's orders are in flight


class Cause:
    NOT_TRACKED = "not_tracked"
    NO_CANDLES = "no_candles"
    EXCHANGE = "exchange"
    NO_WORKER = "no_worker"
    NOT_DECIDED = "not_decided"


@dataclass(frozen=True)
class Stall:
    cause: str  # a Cause: what the watch compares to tell a new stall from the same one
    reason: str  # in words, for the owner
    late_ms: int  # since the decision was due (0 for a live bot waiting for its exchange)


def bot_next_due_ms(bot: Bot) -> int:
    """When the bot's next decision is due: the close of the candle after its last one."""
    bar_ms = timeframe_ms(bot.timeframe)
    first = bot.span_start_ms if bot.last_candle_ms is None else bot.last_candle_ms + bar_ms
    return first + bar_ms


def bots_stalled(bots: Iterable[Bot], *, now_ms: int) -> dict[int, Stall]:
    """The stalls among `bots` (those of them running), by bot id: a few queries for any number
    of bots (the series of the late ones, their download failures, the live workers once)."""
    running = [b for b in bots if b.status == BotStatus.RUNNING and b.span_start_ms is not None]
    late = [b for b in running if now_ms > bot_next_due_ms(b) + timeframe_ms(b.timeframe)]
    stalls = _exchange_waits([b for b in running if b.mode == BotMode.LIVE and b not in late])
    if not late:
        return stalls
    pairs = {(b.symbol_id, b.timeframe) for b in late}
    last_open = {
        (s, tf): t
        for s, tf, t in CandleSeries.objects.filter(
            symbol_id__in={s for s, _ in pairs}
        ).values_list("symbol_id", "timeframe", "last_open_time")
        if (s, tf) in pairs
    }
    failures = fetch_failures(sorted(pairs))
    workers = None
    for bot in late:
        due_ms = bot_next_due_ms(bot)
        late_ms = now_ms - due_ms - timeframe_ms(bot.timeframe)
        stored = last_open.get((bot.symbol_id, bot.timeframe))
        bar_ms = timeframe_ms(bot.timeframe)
        # Candles still arrive (the last stored closed at most a bar ago): the step is what is
        # missing. Else the candles are, whatever the bot still has to catch up on.
        if stored is not None and now_ms - (stored + bar_ms) <= bar_ms:
            workers = _bots_workers() if workers is None else workers
            stalls[bot.pk] = _not_decided(bot, due_ms, late_ms, workers)
        else:
            failure = failures.get((bot.symbol_id, bot.timeframe))
            stalls[bot.pk] = _no_candles(bot, stored, now_ms, late_ms, failure)
    return stalls


def _no_candles(bot: Bot, stored: int | None, now_ms: int, late_ms: int, failure) -> Stall:
    symbol, tf = bot.symbol, bot.timeframe
    bar_ms = timeframe_ms(tf)
    last = (
        "none is stored"
        if stored is None
        else f"the last one closed {duration_words(now_ms - stored - bar_ms)} ago "
        f"({format_ms(stored + bar_ms)})"
    )
    if tf not in (symbol.tracked_timeframes or []):
        return Stall(
            Cause.NOT_TRACKED,
            f"No new candles: {symbol} {tf} is not tracked by the market data refresh "
            f"({last}). Start the bot again, or: {fetch_command(symbol, tf, track=True)}",
            late_ms,
        )
    if failure:
        return Stall(
            Cause.EXCHANGE,
            f"No new {tf} candles from {symbol.exchange}: {last}; the exchange refuses the "
            f"download: {failure['message']}",
            late_ms,
        )
    return Stall(
        Cause.NO_CANDLES,
        f"No new {tf} candles from {symbol.exchange} for {symbol}: {last}. Is the refresh "
        "running (celery beat and a worker on the ingest queue)?",
        late_ms,
    )


def _not_decided(bot: Bot, due_ms: int, late_ms: int, workers: bool | None) -> Stall:
    candle = format_ms(due_ms - timeframe_ms(bot.timeframe))
    if workers is False:
        return Stall(
            Cause.NO_WORKER,
            f"No worker is taking the bots queue's tasks: the {bot.timeframe} candle of "
            f"{candle} is stored but no step ran. Start one: celery -A config worker "
            "--queues bots",
            late_ms,
        )
    return Stall(
        Cause.NOT_DECIDED,
        f"The {bot.timeframe} candle of {candle} is stored but no step has decided it for "
        f"{duration_words(late_ms)}: the bots queue may be backed up.",
        late_ms,
    )


def _bots_workers() -> bool | None:
    """Whether a live worker serves the bots queue (None: unknown, e.g. the embedded broker)."""
    client = ops_redis()
    if client is None:
        return None
    try:
        served = {q for info in live_workers(client).values() for q in info.get("queues", [])}
    except REDIS_DOWN as error:
        dependency_failed("redis", "workers", error)
        return None
    return "bots" in served


def _exchange_waits(bots: list[Bot]) -> dict[int, Stall]:
    """Live bots whose last two decisions both waited for the exchange (two bars running): the
    decisions of every bot's last two candles, in one query."""
    recent = Q(pk__in=[])
    for bot in bots:
        if bot.last_candle_ms is not None:
            since = bot.last_candle_ms - timeframe_ms(bot.timeframe)
            recent |= Q(bot_id=bot.pk, candle_ms__gte=since)
    reasons: dict[int, list[str]] = {}
    rows = BotDecision.objects.filter(recent).order_by("bot_id", "-candle_ms")
    for bot_id, reason in rows.values_list("bot_id", "reason"):
        reasons.setdefault(bot_id, []).append(reason)
    stalls = {}
    for bot_id, said in reasons.items():
        last_two = said[:2]
        if len(last_two) == 2 and all(r.startswith(WAITING) for r in last_two):
            stalls[bot_id] = Stall(
                Cause.EXCHANGE,
                "Its exchange has not answered for two bars, so the bot decides nothing: "
                + last_two[0][len(WAITING) :].lstrip(": "),
                0,
            )
    return stalls
