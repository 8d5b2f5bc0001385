"""Reuse of strategy run responses while the symbol's candles are unchanged.

A run is a pure function of stored candles and its query, so many viewers of one chart need one
computation. The key holds the symbol's candle version (bumped after every write), so a new or
revised candle is never served from a stale entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

from apps.datafeeds.versions import candles_version


def strategy_run_cached(
    compute: Callable[[], dict],
    *,
    key: str,
    symbol_id: int,
    timeframe: str,
    params: dict[str, Any],
    window: dict[str, Any],
) -> dict:
    seconds = settings.STRATEGY_RUN_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    query = json.dumps([key, timeframe, params, window], sort_keys=True)
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    cache_key = f"strategy-run:{symbol_id}:{candles_version(symbol_id)}:{digest}"
    payload = cache.get(cache_key)
    if payload is None:
        payload = compute()
        cache.set(cache_key, payload, timeout=seconds)
    return payload
