"""One way to report a dependency that is away (Redis as cache, broker or channel layer): the
failure is counted in /metrics on every call (`dependency_failures_total`) and logged at most
once per LOG_INTERVAL_SECONDS per dependency, so an outage writes a line a minute, not one per
request."""

from __future__ import annotations

import logging
import math
import threading
import time

from prometheus_client import Counter
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

DEPENDENCY_FAILURES = Counter(
    "dependency_failures_total",
    "Calls to a dependency that failed and were degraded (cache, broker, channel layer)",
    ["dependency", "operation"],
)

# What Redis raises when it cannot be reached (sync and asyncio clients alike).
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
LOG_INTERVAL_SECONDS = 60.0
_last_logged: dict[str, float] = {}
_lock = threading.Lock()


def dependency_failed(dependency: str, operation: str, error: BaseException) -> None:
    """`operation` on `dependency` failed with `error` and the caller carries on degraded."""
    DEPENDENCY_FAILURES.labels(dependency=dependency, operation=operation).inc()
    now = time.monotonic()
    with _lock:
        if now - _last_logged.get(dependency, -math.inf) < LOG_INTERVAL_SECONDS:
            return
        _last_logged[dependency] = now
    logger.warning(
        "%s unavailable at %s (%s: %s); degraded until it answers again (logged once per %d s)",
        dependency,
        operation,
        type(error).__name__,
        error,
        LOG_INTERVAL_SECONDS,
    )
