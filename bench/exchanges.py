"""Benchmarks of apps/exchanges: what the shared rate limiter adds to every exchange request."""

from __future__ import annotations

import time
from collections.abc import Callable

CALLS = 2_000


def bench_rate_limiter(record: Callable[..., None], calls: int = CALLS) -> None:
    """acquire() per second through Redis (the shared budget) against the in-process buckets,
    with a budget far too large to ever wait: the pure overhead per request."""
    from django.test import override_settings

    from apps.exchanges.ratelimit import ExchangeBudget, SharedRateLimiter

    budget = ExchangeBudget("benchexchange", 1e12, 60, 1, 1e12, 10)

    def rate(backend: str) -> float:
        with override_settings(EXCHANGE_RATE_LIMIT_BACKEND=backend):
            limiter = SharedRateLimiter(budget, account_key="bench")
            started = time.perf_counter()
            for _ in range(calls):
                limiter.acquire(cost=1, is_order=True)
            return calls / (time.perf_counter() - started)

    local = rate("local")
    record(
        "rate limiter acquire (Redis, weight + order buckets; ref. in-process)",
        rate("redis"),
        "calls/s",
        local,
        size=f"{calls:,} calls",
    )
