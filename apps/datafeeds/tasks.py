"""Celery tasks of the datafeeds app: thin wrappers around services.fetch_ohlcv."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from .clock import exchange_clock_offset_ms, refresh_plan, series_due
from .fetch_state import fetch_failure_note, fetch_success_note
from .models import CandleSeries, Symbol
from .services import FetchError, FetchProgress, fetch_ohlcv

logger = logging.getLogger(__name__)


# A FetchError is an expected failure (the exchange refused, or stayed unreachable through the
# retries): the task fails, with one error line of ours and no traceback from Celery.
@shared_task(name="datafeeds.fetch_ohlcv_task", bind=True, acks_late=True, throws=(FetchError,))
def fetch_ohlcv_task(
    self,
    symbol_id: int,
    timeframe: str,
    since_ms: int | None = None,
    until_ms: int | None = None,
    limit: int | None = None,
    clock_offset_ms: int = 0,
) -> dict:
    """Download one series. Idempotent (upserts), so late acknowledgement is safe.

    Network errors are already retried inside the service with backoff; a FetchError reaching
    here is final (unknown symbol, bad timeframe, or the exchange unreachable through every
    retry) and fails the task without a retry: the next refresh tries again.
    """
    symbol = Symbol.objects.get(pk=symbol_id)

    def report_progress(progress: FetchProgress) -> None:
        if not self.request.called_directly:
            self.update_state(
                state="PROGRESS",
                meta={"pages": progress.pages, "candles": progress.candles, "rate": progress.rate},
            )

    try:
        report = fetch_ohlcv(
            symbol=symbol,
            timeframe=timeframe,
            since_ms=since_ms,
            until_ms=until_ms,
            limit=limit,
            progress=report_progress,
            clock_offset_ms=clock_offset_ms,
        )
    except FetchError as error:  # a bot waiting for these candles says why none arrive
        fetch_failure_note(symbol_id=symbol_id, timeframe=timeframe, message=str(error))
        logger.error("download of %s %s failed: %s", symbol.name, timeframe, error)
        raise
    fetch_success_note(symbol_id=symbol_id, timeframe=timeframe)
    return report.as_dict()


@shared_task(name="datafeeds.refresh_tracked_symbols")
def refresh_tracked_symbols() -> int:
    """Enqueue a resume download for every tracked (symbol, timeframe) that is due (a candle of
    it closes at this boundary, or it lags); beat runs this on candle boundaries
    (docs/datafeeds.md). Each download runs a little after the boundary by the
    exchange's clock and expires after one period, so a backlog never replays old ticks; a
    second beat ticking for the same boundary enqueues nothing (one cache key per series and
    boundary)."""
    step_ms = int(settings.DATAFEEDS_REFRESH_MINUTES * 60_000)
    delay_ms = int(settings.DATAFEEDS_REFRESH_DELAY_SECONDS * 1000)
    queued = 0
    offsets: dict[str, int] = {}
    last_opens = {
        (symbol_id, timeframe): last_open
        for symbol_id, timeframe, last_open in CandleSeries.objects.values_list(
            "symbol_id", "timeframe", "last_open_time"
        )
    }
    for symbol in Symbol.objects.exclude(tracked_timeframes=[]):
        if symbol.exchange not in offsets:
            offsets[symbol.exchange] = exchange_clock_offset_ms(symbol.exchange)
        offset = offsets[symbol.exchange]
        boundary, countdown_ms = refresh_plan(
            local_now_ms=int(time.time() * 1000),
            offset_ms=offset,
            step_ms=step_ms,
            delay_ms=delay_ms,
        )
        for timeframe in symbol.tracked_timeframes:
            last_open = last_opens.get((symbol.pk, timeframe))
            if not series_due(boundary_ms=boundary, timeframe=timeframe, last_open_ms=last_open):
                continue
            claim = f"refresh:{symbol.pk}:{timeframe}:{boundary}"
            if not cache.add(claim, 1, timeout=max(2 * step_ms // 1000, 1)):
                continue  # another beat already enqueued this boundary
            fetch_ohlcv_task.apply_async(
                (symbol.pk, timeframe),
                {"clock_offset_ms": offset},
                countdown=countdown_ms / 1000,
                expires=(countdown_ms + step_ms) / 1000,
            )
            queued += 1
    return queued
