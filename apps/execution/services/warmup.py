"""What a started bot needs from the market data: its timeframes kept fresh by the refresh on
candle boundaries, and the candles its warm-up lacks fetched now."""

from __future__ import annotations

import logging
import time

from django.db import transaction

from apps.datafeeds.fetch_state import fetch_failure_note, fetch_success_note
from apps.datafeeds.models import CandleSeries, Symbol
from apps.datafeeds.services import FetchError, fetch_ohlcv
from apps.datafeeds.timeframes import bucket_floor, timeframe_ms
from apps.strategies.registry import strategy_spec

from ..models import Bot, BotStatus
from .journal import Journal

logger = logging.getLogger(__name__)


def symbol_track(*, symbol_id: int, timeframes: list[str]) -> list[str]:
    """Add `timeframes` to what the datafeeds refresh keeps up to date for the symbol."""
    with transaction.atomic():
        symbol = Symbol.objects.select_for_update().get(pk=symbol_id)
        tracked = list(symbol.tracked_timeframes or [])
        added = [tf for tf in timeframes if tf not in tracked]
        if added:
            symbol.tracked_timeframes = tracked + added
            symbol.save(update_fields=["tracked_timeframes"])
    return added


def bot_symbol_prepare(*, bot_id: int) -> dict:
    bot = Bot.objects.select_related("symbol").filter(pk=bot_id).first()
    if bot is None or bot.status != BotStatus.RUNNING:
        return {"tracked": [], "fetched": {}}
    spec = strategy_spec(bot.strategy)
    timeframes = [spec.base_timeframe, *spec.context_timeframes]
    added = symbol_track(symbol_id=bot.symbol_id, timeframes=timeframes)
    fetched: dict[str, int] = {}
    for timeframe in timeframes:
        # Resumes from the last stored candle (only what is missing is downloaded); a
        # series with nothing stored starts at the strategy's warm-up before the bot.
        since = None
        if not CandleSeries.objects.filter(symbol=bot.symbol, timeframe=timeframe).exists():
            warmup = (
                spec.base_warmup(bot.params)
                if timeframe == spec.base_timeframe
                else spec.context_warmup(bot.params)
            )
            start = bot.span_start_ms or int(time.time() * 1000)
            since = int(bucket_floor(start, timeframe)) - warmup * timeframe_ms(timeframe)
        try:
            report = fetch_ohlcv(symbol=bot.symbol, timeframe=timeframe, since_ms=since)
            fetched[timeframe] = report.written.inserted
            fetch_success_note(symbol_id=bot.symbol_id, timeframe=timeframe)
        except FetchError as error:
            fetch_failure_note(symbol_id=bot.symbol_id, timeframe=timeframe, message=str(error))
            logger.warning(
                "bot %s: fetching %s %s failed: %s", bot_id, bot.symbol, timeframe, error
            )
            journal = Journal(bot)
            journal.add("warning", f"Could not fetch {timeframe} candles: {error}")
            journal.flush()
    return {"tracked": added, "fetched": fetched}
