"""The last failure of each series' download, kept in the shared cache so that a bot waiting
for candles can say why none arrive (the exchange refusing, an unknown market). Cleared by the
next download that succeeds. The cache being away only loses the explanation, never a download."""

from __future__ import annotations

import time

from django.core.cache import cache

from config.degraded import REDIS_DOWN, dependency_failed

FAILURE_TTL_S = 7 * 86_400


def _key(symbol_id: int, timeframe: str) -> str:
    return f"fetch-failed:{symbol_id}:{timeframe}"


def fetch_failure_note(*, symbol_id: int, timeframe: str, message: str) -> None:
    try:
        cache.set(
            _key(symbol_id, timeframe),
            {"message": message[:500], "at_ms": int(time.time() * 1000)},
            timeout=FAILURE_TTL_S,
        )
    except REDIS_DOWN as error:
        dependency_failed("redis", "cache.set", error)


def fetch_success_note(*, symbol_id: int, timeframe: str) -> None:
    try:
        cache.delete(_key(symbol_id, timeframe))
    except REDIS_DOWN as error:
        dependency_failed("redis", "cache.delete", error)


def fetch_failures(pairs: list[tuple[int, str]]) -> dict[tuple[int, str], dict]:
    """(symbol id, timeframe) -> {"message", "at_ms"} of the series whose last download failed."""
    if not pairs:
        return {}
    keys = {_key(s, tf): (s, tf) for s, tf in pairs}
    try:
        found = cache.get_many(list(keys))
    except REDIS_DOWN as error:
        dependency_failed("redis", "cache.get_many", error)
        return {}
    return {keys[k]: v for k, v in found.items()}
