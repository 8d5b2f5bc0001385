"""Forward test: a paper bot stepped through stored candles, one candle at a time, through the
same step code as a running bot (a simulated clock: each step runs at its candle's close)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from apps.datafeeds.selectors import candles_window
from apps.datafeeds.timeframes import timeframe_ms
from apps.strategies.registry import strategy_spec

from ..lifecycle import RUNNABLE_FROM, STATUS_FIELDS, bot_status_move
from ..models import Bot, BotDecision, BotEvent, BotMode, BotOrder, BotStatus, BotTrade
from .bots import BotConflict, BotInvalid, bot_running_from
from .journal import Journal
from .reconciliation import Reconciliation, bot_reconciliation
from .signals import candle_signals_compute
from .step import StepOutcome, bot_step


@dataclass(frozen=True)
class ForwardReport:
    steps: int
    outcomes: dict[str, int]
    reconciliation: Reconciliation


def bot_history_clear(*, bot: Bot) -> None:
    """Back to a fresh paper account: orders, trades, decisions, events and position go."""
    with transaction.atomic():
        BotTrade.objects.filter(bot=bot).delete()
        Bot.objects.filter(pk=bot.pk).update(
            equity=bot.paper_capital, peak_equity=bot.paper_capital
        )
        if hasattr(bot, "position"):
            bot.position.delete()
        BotOrder.objects.filter(bot=bot).delete()
        BotDecision.objects.filter(bot=bot).delete()
        BotEvent.objects.filter(bot=bot).delete()


def bot_forward_test(
    *,
    bot: Bot,
    start_ms: int,
    end_ms: int,
    reset: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ForwardReport:
    """Step `bot` (paper, stopped) over the base candles opening in [start_ms, end_ms), then
    stop it and compare its trades with the backtest of the same span."""
    if bot.mode != BotMode.PAPER:
        raise BotInvalid({"mode": "only a paper bot can be forward-tested"})
    if bot.status not in RUNNABLE_FROM:
        raise BotConflict(f"The bot is {bot.status}: stop it first.")
    has_history = (
        BotDecision.objects.filter(bot=bot).exists() or BotOrder.objects.filter(bot=bot).exists()
    )
    if has_history and not reset:
        raise BotConflict("The bot has a history; pass --reset to clear it for the forward test.")
    if has_history:
        bot_history_clear(bot=bot)
    bar_ms = timeframe_ms(bot.timeframe)
    span = candles_window(
        symbol=bot.symbol, timeframe=bot.timeframe, start_ms=start_ms, end_ms=end_ms - 1
    )
    times = span.open_time
    if not len(times):
        raise BotInvalid({"start": f"no {bot.timeframe} candles of {bot.symbol} in that span"})
    with transaction.atomic():
        locked = Bot.objects.select_for_update().get(pk=bot.pk)
        bot_running_from(bot=locked, span_start_ms=int(times[0]), signals_from_ms=int(times[0]))
    outcomes: dict[str, int] = {}
    spec = strategy_spec(bot.strategy)
    for n, candle_ms in enumerate(times.tolist(), start=1):
        # What a running bot's step reads from the shared cache, computed the same way.
        signals = candle_signals_compute(
            spec=spec,
            params=bot.params,
            symbol=bot.symbol,
            signals_from_ms=int(times[0]),
            candle_ms=candle_ms,
        )
        result = bot_step(
            bot_id=bot.pk,
            candle_ms=candle_ms,
            now_ms=candle_ms + bar_ms,
            bars=span.slice(slice(n - 1, n)),
            signals=signals,
        )
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        if result.outcome == StepOutcome.NOT_RUNNING:
            break
        if progress is not None:
            progress(n, len(times))
    with transaction.atomic():
        locked = Bot.objects.select_for_update().get(pk=bot.pk)
        if locked.status in (BotStatus.RUNNING, BotStatus.STOPPING):
            journal = Journal(locked)
            bot_status_move(locked, BotStatus.STOPPED, "Forward test finished.", journal)
            locked.save(update_fields=STATUS_FIELDS)
            journal.flush()
    bot = Bot.objects.select_related("symbol", "position").get(pk=bot.pk)
    return ForwardReport(len(times), outcomes, bot_reconciliation(bot=bot))
