"""Reuse of strategy run answers while the symbol's candles are unchanged.

A run is a pure function of stored candles and its query, so many viewers of one chart need one
computation, and one rendering: the answer is cached as JSON bytes (with its ETag and gzip
encoding) under the symbol's candle version (apps/datafeeds/caching.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from apps.datafeeds.caching import market_answer_cached
from config.http_cache import RenderedAnswer


def strategy_run_cached(
    compute: Callable[[], dict],
    *,
    key: str,
    symbol_id: int,
    timeframe: str,
    params: dict[str, Any],
    window: dict[str, Any],
) -> RenderedAnswer:
    return market_answer_cached(
        compute,
        namespace="strategy-run",
        symbol_id=symbol_id,
        query=[key, timeframe, params, window],
        seconds=settings.STRATEGY_RUN_CACHE_SECONDS,
    )
