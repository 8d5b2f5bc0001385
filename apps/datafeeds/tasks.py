"""Celery tasks of the datafeeds app: thin wrappers around services.fetch_ohlcv."""

from __future__ import annotations

from celery import shared_task

from .models import Symbol
from .services import FetchProgress, fetch_ohlcv


@shared_task(name="datafeeds.fetch_ohlcv_task", bind=True, acks_late=True)
def fetch_ohlcv_task(
    self,
    symbol_id: int,
    timeframe: str,
    since_ms: int | None = None,
    until_ms: int | None = None,
    limit: int | None = None,
) -> dict:
    """Download one series. Idempotent (upserts), so late acknowledgement is safe.

    Network errors are already retried inside the service with backoff; a FetchError reaching
    here is permanent (unknown symbol, bad timeframe) and fails the task without a retry.
    """
    symbol = Symbol.objects.get(pk=symbol_id)

    def report_progress(progress: FetchProgress) -> None:
        if not self.request.called_directly:
            self.update_state(
                state="PROGRESS",
                meta={"pages": progress.pages, "candles": progress.candles, "rate": progress.rate},
            )

    report = fetch_ohlcv(
        symbol=symbol,
        timeframe=timeframe,
        since_ms=since_ms,
        until_ms=until_ms,
        limit=limit,
        progress=report_progress,
    )
    return report.as_dict()


@shared_task(name="datafeeds.refresh_tracked_symbols")
def refresh_tracked_symbols() -> int:
    """Enqueue a resume download for every tracked (symbol, timeframe); beat runs this."""
    queued = 0
    for symbol in Symbol.objects.all():
        for timeframe in symbol.tracked_timeframes:
            fetch_ohlcv_task.delay(symbol.pk, timeframe)
            queued += 1
    return queued
