"""Django's Redis cache, degrading instead of failing while Redis is away (docs/operations.md).

A cache is an optimisation: when Redis cannot be reached, reads miss, writes are dropped, `add`
answers True (whoever asks goes ahead, as if first) and `incr` raises ValueError (the "not set"
answer its callers already handle), so every caller computes its answer and the API keeps
answering. With OPTIONS {"FALLBACK": "local"} (the throttles' cache) the calls go to a
per-process memory cache instead, so rate limits hold per process during an outage.

After a failure, Redis is not tried again for RETRY_SECONDS (a partitioned server would cost
every request its connect timeout). A key whose write failed may hold a stale value in Redis
(a version that was not bumped): it is deleted as soon as Redis answers again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from config.degraded import REDIS_DOWN, dependency_failed

RETRY_SECONDS = 5.0
_UNWRITTEN_MAX = 100_000  # keys remembered for deletion; beyond, the oldest are forgotten


@dataclass
class _ServerState:
    """What every thread of the process knows of one Redis (Django makes a cache object per
    thread): when to try it again, and the keys whose write it missed."""

    down_until: float = 0.0
    unwritten: dict[str, None] = field(default_factory=dict)  # an insertion-ordered set


_servers: dict[str, _ServerState] = {}


class FailSafeRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]):
        options = dict(params.get("OPTIONS") or {})
        fallback = options.pop("FALLBACK", "")
        super().__init__(server, {**params, "OPTIONS": options})
        self._local = LocMemCache(f"fail-safe:{server}", {}) if fallback == "local" else None
        self._state = _servers.setdefault(server, _ServerState())

    # --- the guard ---------------------------------------------------------------------------

    def _guarded(
        self, operation: str, call: Callable[[], Any], degraded: Callable[[], Any], keys=()
    ) -> Any:
        """`call()` on Redis, or `degraded()` when Redis is away; `keys` (full keys) are the
        ones the call writes. Keys missed during an outage are deleted before anything else is
        asked of Redis, so no read after the outage sees a value a missed write replaced."""
        state = self._state
        if time.monotonic() < state.down_until:
            self._remember(keys)
            return degraded()
        try:
            if state.unwritten:
                missed = list(state.unwritten)
                self._cache.delete_many(missed)
                for key in missed:
                    state.unwritten.pop(key, None)
            return call()
        except REDIS_DOWN as error:
            state.down_until = time.monotonic() + RETRY_SECONDS
            dependency_failed("cache", operation, error)
            self._remember(keys)
            return degraded()

    def _remember(self, keys) -> None:
        unwritten = self._state.unwritten
        for key in keys:
            unwritten[key] = None
        while len(unwritten) > _UNWRITTEN_MAX:
            unwritten.pop(next(iter(unwritten)), None)

    def _local_or(self, name: str, default: Any, *args: Any, **kwargs: Any) -> Callable[[], Any]:
        if self._local is None:
            return lambda: default
        return lambda: getattr(self._local, name)(*args, **kwargs)

    # --- the cache API -----------------------------------------------------------------------

    def _full(self, keys, version) -> list[str]:
        return [self.make_and_validate_key(key, version) for key in keys]

    def get(self, key, default=None, version=None):
        return self._guarded(
            "get",
            lambda: RedisCache.get(self, key, default, version),
            self._local_or("get", default, key, default, version),
        )

    def get_many(self, keys, version=None):
        return self._guarded(
            "get_many",
            lambda: RedisCache.get_many(self, keys, version),
            self._local_or("get_many", {}, keys, version),
        )

    def has_key(self, key, version=None):
        return self._guarded(
            "has_key",
            lambda: RedisCache.has_key(self, key, version),
            self._local_or("has_key", False, key, version),
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "set",
            lambda: RedisCache.set(self, key, value, timeout, version),
            self._local_or("set", None, key, value, timeout, version),
            keys=self._full([key], version),
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "set_many",
            lambda: RedisCache.set_many(self, data, timeout, version),
            self._local_or("set_many", [], data, timeout, version),
            keys=self._full(data, version),
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "add",
            lambda: RedisCache.add(self, key, value, timeout, version),
            self._local_or("add", True, key, value, timeout, version),
            keys=self._full([key], version),
        )

    def incr(self, key, delta=1, version=None):
        def degraded():
            if self._local is None:
                raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
            return self._local.incr(key, delta, version)

        return self._guarded(
            "incr",
            lambda: RedisCache.incr(self, key, delta, version),
            degraded,
            keys=self._full([key], version),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "touch",
            lambda: RedisCache.touch(self, key, timeout, version),
            self._local_or("touch", False, key, timeout, version),
        )

    def delete(self, key, version=None):
        return self._guarded(
            "delete",
            lambda: RedisCache.delete(self, key, version),
            self._local_or("delete", False, key, version),
            keys=self._full([key], version),
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._guarded(
            "delete_many",
            lambda: RedisCache.delete_many(self, keys, version),
            self._local_or("delete_many", None, keys, version),
            keys=self._full(keys, version),
        )

    def clear(self):
        return self._guarded("clear", lambda: RedisCache.clear(self), self._local_or("clear", None))
