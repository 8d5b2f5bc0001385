"""A version per symbol's candles, bumped after every write: caches of anything computed from
a symbol's candles key on it, so a new or revised candle is never answered from a stale cache."""

from __future__ import annotations

import time

from django.core.cache import cache

_KEY = "candles-version:{}"


def candles_version_key(symbol_id: int) -> str:
    """The cache key holding the version (to read it with other keys in one round trip)."""
    return _KEY.format(symbol_id)


def candles_version(symbol_id: int) -> int:
    key = _KEY.format(symbol_id)
    version = cache.get(key)  # one round trip on every read but the first
    if version is None:
        # A fresh, time-based start: after a cache flush, old entries can never match again.
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key)
    return version


def candles_version_bump(symbol_id: int) -> None:
    key = _KEY.format(symbol_id)
    try:
        cache.incr(key)
    except ValueError:  # not set yet (or evicted)
        cache.set(key, time.time_ns(), timeout=None)
