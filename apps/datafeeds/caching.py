"""Market-data answers rendered once per candle version and reused as bytes.

An answer computed from a symbol's candles (the candles endpoint, a strategy run) is a pure
function of those candles and the query. Its cache key holds the symbol's candle version, read
before the candles are, and bumped after every write: a new or revised candle is never answered
from a stale entry (at worst an entry holds candles newer than its version, never older).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import orjson
from django.conf import settings
from django.core.cache import cache

from config.http_cache import RenderedAnswer

from .models import Symbol
from .presenters import candles_payload
from .selectors import candles_window
from .versions import candles_version


def market_answer_cached(
    build: Callable[[], Any], *, namespace: str, symbol_id: int, query: Any, seconds: int
) -> RenderedAnswer:
    """The rendered answer of `build()` (a JSON-able payload), reused for `seconds` (0: never)
    while the symbol's candles are unchanged. Cached answers keep their gzip encoding."""
    if seconds <= 0:
        return RenderedAnswer.of(build())
    digest = hashlib.sha256(orjson.dumps(query, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]
    key = f"{namespace}:{symbol_id}:{candles_version(symbol_id)}:{digest}"
    answer = cache.get(key)
    if answer is None:
        answer = RenderedAnswer.of(build())
        if answer.compressible():
            answer.gzipped()
        cache.set(key, answer, timeout=seconds)
    return answer


def candles_answer(
    *, symbol: Symbol, timeframe: str, start_ms: int | None, end_ms: int | None, limit: int
) -> RenderedAnswer:
    """The candles endpoint's answer (window rules of `candles_window`)."""
    return market_answer_cached(
        lambda: candles_payload(
            candles_window(
                symbol=symbol, timeframe=timeframe, start_ms=start_ms, end_ms=end_ms, limit=limit
            ),
            symbol=symbol,
            timeframe=timeframe,
        ),
        namespace="candles",
        symbol_id=symbol.pk,
        query=[timeframe, start_ms, end_ms, limit],
        seconds=settings.MARKET_DATA_CACHE_SECONDS,
    )
