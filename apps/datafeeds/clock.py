"""The exchange's clock: "closed" is judged against it, not only against the local clock.

The offset (exchange minus local, ms) is measured through ccxt's fetch_time, halfway through
the request, and cached for a while; a failed measurement counts as 0 for a minute."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache

from apps.exchanges.exchange_client import ExchangeError, exchange_client_for

from .models import SIMULATED_EXCHANGE
from .timeframes import bucket_floor

logger = logging.getLogger(__name__)

OFFSET_CACHE_SECONDS = 600  # clocks drift slowly; a measurement every 10 minutes is plenty
FAILED_CACHE_SECONDS = 60


def exchange_clock_offset_ms(exchange_id: str) -> int:
    if exchange_id == SIMULATED_EXCHANGE:
        return 0
    key = f"exchange-clock-offset:{exchange_id}"
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    try:
        client = exchange_client_for(
            exchange_id=exchange_id,
            api_hosts=settings.EXCHANGE_API_HOSTS,
            timeout_ms=settings.DATAFEEDS_EXCHANGE_TIMEOUT_MS,
        )
        before = client.milliseconds()
        server = client.call("fetch_time")
        after = client.milliseconds()
        offset = int(server - (before + after) // 2)
    except ExchangeError as error:  # unreachable, refused...: trust the local clock for now
        logger.warning("%s: clock offset not measured (%s); assuming 0", exchange_id, error)
        cache.set(key, 0, timeout=FAILED_CACHE_SECONDS)
        return 0
    cache.set(key, offset, timeout=OFFSET_CACHE_SECONDS)
    return offset


def refresh_plan(
    *, local_now_ms: int, offset_ms: int, step_ms: int, delay_ms: int
) -> tuple[int, int]:
    """(boundary, countdown ms) of the refresh for the candle boundary nearest the exchange's
    now: the download runs `delay_ms` after that boundary by the exchange's clock. An exchange
    a few seconds behind makes the countdown longer, one ahead makes it shorter."""
    exchange_now = local_now_ms + offset_ms
    boundary = round(exchange_now / step_ms) * step_ms
    return boundary, max(0, boundary + delay_ms - exchange_now)


def series_due(*, boundary_ms: int, timeframe: str, last_open_ms: int | None) -> bool:
    """Whether the refresh at `boundary_ms` downloads a series: when one of its candles closes
    at that boundary, or when its last closed candle is not stored yet (a failed or missed
    refresh, or nothing stored), so a 1h series is not downloaded every minute but never lags."""
    closing = int(bucket_floor(boundary_ms, timeframe))
    if closing == boundary_ms:
        return True
    last_closed_open = int(bucket_floor(closing - 1, timeframe))
    return last_open_ms is None or last_open_ms < last_closed_open
