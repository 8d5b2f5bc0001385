"""Market-data answers rendered once per candle version and reused as bytes.

An answer computed from a symbol's candles (the candles endpoint, a strategy run) is a pure
function of those candles and the query. Its entry is tagged with the symbol's candle version,
read before the candles are and bumped after every write: a new or revised candle is never
answered from a stale entry (at worst an entry holds candles newer than its tag, never older).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from config.http_cache import RenderedAnswer

from .models import Symbol
from .presenters import candles_payload
from .selectors import candles_window, symbol_get
from .versions import candles_version, candles_version_key


def market_answer_cached(
    build: Callable[[], Any], *, namespace: str, symbol_id: int, query: Any, seconds: int
) -> RenderedAnswer:
    """The rendered answer of `build()` (a JSON-able payload), reused for `seconds` (0: never)
    while the symbol's candles are unchanged. Cached answers keep their gzip encoding.

    The entry is stored with the candle version it was computed under and read with the current
    version in one round trip; it is used only when the two are equal.
    """
    if seconds <= 0:
        return RenderedAnswer.of(build())
    digest = hashlib.sha256(orjson.dumps(query, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]
    key, version_key = f"{namespace}:{symbol_id}:{digest}", candles_version_key(symbol_id)
    found = cache.get_many([key, version_key])
    version = found.get(version_key)
    entry = found.get(key)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    if version is None:
        version = candles_version(symbol_id)
    answer = RenderedAnswer.of(build())  # candles read after the version: never older than it
    if answer.compressible():
        answer.gzipped()
    cache.set(key, (version, answer), timeout=seconds)
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


_SYMBOLS_GENERATION = "symbols-generation"


def symbol_get_cached(*, name: str, exchange: str | None = None) -> Symbol:
    """`symbol_get` answered from the cache (no query) while no symbol was saved or deleted since
    (the generation below); plain `symbol_get` when market-data caching is off. Unknown or
    ambiguous names are never cached."""
    seconds = settings.MARKET_DATA_CACHE_SECONDS
    if seconds <= 0:
        return symbol_get(name=name, exchange=exchange)
    key = "symbol:" + hashlib.sha256(f"{exchange or ''}\n{name}".encode()).hexdigest()[:32]
    found = cache.get_many([key, _SYMBOLS_GENERATION])
    generation, entry = found.get(_SYMBOLS_GENERATION), found.get(key)
    if generation is not None and entry is not None and entry[0] == generation:
        return entry[1]
    if generation is None:
        cache.add(_SYMBOLS_GENERATION, time.time_ns(), timeout=None)
        generation = cache.get(_SYMBOLS_GENERATION)
    symbol = symbol_get(name=name, exchange=exchange)  # read after the generation, as candles
    cache.set(key, (generation, symbol), timeout=seconds)
    return symbol


@receiver(post_save, sender=Symbol, dispatch_uid="datafeeds-symbols-generation-save")
@receiver(post_delete, sender=Symbol, dispatch_uid="datafeeds-symbols-generation-delete")
def _symbols_changed(sender, using: str, **kwargs) -> None:
    """A new, changed or deleted symbol can change what a name resolves to: once committed,
    every cached resolution is dropped."""
    transaction.on_commit(_symbols_generation_bump, using=using)


def _symbols_generation_bump() -> None:
    try:
        cache.incr(_SYMBOLS_GENERATION)
    except ValueError:  # not set yet (or evicted)
        cache.set(_SYMBOLS_GENERATION, time.time_ns(), timeout=None)
