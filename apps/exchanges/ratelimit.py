"""Exchange request budgets shared by every process: token buckets in Redis, on top of ccxt's
own per-process limiter.

- Per exchange: the request-weight budget (Binance: 6000 weight per minute per IP). Each request
  costs its endpoint's weight, taken from ccxt's API definitions (the `cost` of an endpoint,
  times the exchange's weight per cost unit).
- Per account: the order budget (Binance: 100 orders per 10 s per account).
- A 429 or 418 answer backs every process off that exchange until its Retry-After has passed.
- The exchange's own count of this IP's weight (Binance: X-MBX-USED-WEIGHT-1M on every answer)
  also backs every process off, until the exchange's window ends, once it reaches
  USED_WEIGHT_HEADROOM of the limit: other programs on the same IP spend the budget too, and the
  buckets cannot see them.

A bucket of capacity B refilled at r per second lets at most B + r*T through in any window of T
seconds, so with B = 10% and r*T = 80% of the exchange's limit a fixed window never sees more
than 90% of it. Buckets live in Redis (one Lua script: atomic, and Redis's clock is the one
clock every process shares); on the embedded default (no Redis) the same buckets live in the
process. Pure leaf module: no imports from other apps, so the datafeeds client factory can use it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings

from config.degraded import dependency_failed

logger = logging.getLogger(__name__)

BURST_FRACTION = 0.1  # of the exchange's limit, available at once
RATE_FRACTION = 0.8  # of the exchange's limit, refilled over its window
DEFAULT_BACKOFF_S = 60.0  # a 429/418 without Retry-After
ORDER_PATHS = ("order", "orderList/oco", "sor/order", "batchOrders")
USED_WEIGHT_HEADROOM = 0.9  # of the limit: past it, wait for the exchange's next window
USED_WEIGHT_HEADERS = {"binance": "X-MBX-USED-WEIGHT-1M"}

# {"binance": {"weight": 6000, "seconds": 60, "weight_per_cost": 5, "orders": 100,
#  "order_seconds": 10}}; exchanges not listed get ccxt's own rate (60000/rateLimit per minute).
DEFAULT_LIMITS: dict[str, dict[str, float]] = {
    "binance": {
        "weight": 6000,
        "seconds": 60,
        "weight_per_cost": 5,
        "orders": 100,
        "order_seconds": 10,
    }
}

# KEYS[1] bucket, KEYS[2] backoff flag; ARGV capacity, refill per ms, tokens wanted.
# Answers 0 (granted, tokens taken) or the milliseconds to wait before asking again.
_TAKE_SCRIPT = """
local backoff = redis.call('PTTL', KEYS[2])
if backoff > 0 then return backoff end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - at) * rate)
local ttl = math.ceil(capacity / rate) + 1000
if tokens >= wanted then
  redis.call('HSET', KEYS[1], 'tokens', tokens - wanted, 'at', now)
  redis.call('PEXPIRE', KEYS[1], ttl)
  return 0
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], ttl)
return math.max(1, math.ceil((wanted - tokens) / rate))
"""


@dataclass(frozen=True)
class Bucket:
    key: str
    capacity: float  # tokens (weight units)
    refill_per_ms: float

    @classmethod
    def for_limit(cls, key: str, limit: float, seconds: float) -> Bucket:
        return cls(key, max(1.0, limit * BURST_FRACTION), limit * RATE_FRACTION / (seconds * 1000))


class _LocalStore:
    """The same buckets inside one process (the embedded default has no Redis)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}
        self._backoff: dict[str, float] = {}

    def take(self, bucket: Bucket, backoff_key: str, wanted: float) -> float:
        now = time.monotonic() * 1000
        with self._lock:
            until = self._backoff.get(backoff_key, 0.0)
            if until > now:
                return until - now
            tokens, at = self._buckets.get(bucket.key, (bucket.capacity, now))
            tokens = min(bucket.capacity, tokens + (now - at) * bucket.refill_per_ms)
            if tokens >= wanted:
                self._buckets[bucket.key] = (tokens - wanted, now)
                return 0.0
            self._buckets[bucket.key] = (tokens, now)
            return max(1.0, (wanted - tokens) / bucket.refill_per_ms)

    def backoff(self, backoff_key: str, seconds: float) -> None:
        with self._lock:
            until = time.monotonic() * 1000 + seconds * 1000
            self._backoff[backoff_key] = max(self._backoff.get(backoff_key, 0.0), until)


class _RedisStore:
    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url)
        self._take = self._client.register_script(_TAKE_SCRIPT)

    def take(self, bucket: Bucket, backoff_key: str, wanted: float) -> float:
        return float(
            self._take(
                keys=[bucket.key, backoff_key],
                args=[bucket.capacity, repr(bucket.refill_per_ms), wanted],
            )
        )

    def backoff(self, backoff_key: str, seconds: float) -> None:
        ms = max(1, int(seconds * 1000))
        current = self._client.pttl(backoff_key)
        if current is None or current < ms:
            self._client.set(backoff_key, "1", px=ms)


@lru_cache(maxsize=4)
def _store(kind: str, url: str) -> _LocalStore | _RedisStore:
    return _RedisStore(url) if kind == "redis" else _LocalStore()


def _shared_store() -> _LocalStore | _RedisStore:
    kind = getattr(settings, "EXCHANGE_RATE_LIMIT_BACKEND", None) or (
        "redis" if getattr(settings, "CACHE_BACKEND", "file") == "redis" else "local"
    )
    return _store(kind, settings.REDIS_URL if kind == "redis" else "")


@dataclass(frozen=True)
class ExchangeBudget:
    exchange_id: str
    weight: float
    seconds: float
    weight_per_cost: float
    orders: float | None
    order_seconds: float


def exchange_budget(exchange_id: str, rate_limit_ms: float) -> ExchangeBudget:
    """The configured budget (EXCHANGE_RATE_LIMITS over the defaults), else ccxt's own rate."""
    configured = {
        **DEFAULT_LIMITS.get(exchange_id, {}),
        **getattr(settings, "EXCHANGE_RATE_LIMITS", {}).get(exchange_id, {}),
    }
    per_minute_from_ccxt = 60_000 / max(rate_limit_ms, 1)
    return ExchangeBudget(
        exchange_id=exchange_id,
        weight=float(configured.get("weight", per_minute_from_ccxt)),
        seconds=float(configured.get("seconds", 60)),
        weight_per_cost=float(configured.get("weight_per_cost", 1)),
        orders=configured.get("orders"),
        order_seconds=float(configured.get("order_seconds", 10)),
    )


class SharedRateLimiter:
    """Waits until the shared budgets allow a request of an exchange (and account)."""

    def __init__(self, budget: ExchangeBudget, account_key: str | None = None) -> None:
        self.budget = budget
        self.prefix = f"ratelimit:{budget.exchange_id}"
        self.backoff_key = f"{self.prefix}:backoff"
        self.weight_bucket = Bucket.for_limit(
            f"{self.prefix}:weight", budget.weight, budget.seconds
        )
        self.order_bucket: Bucket | None = None
        self.waited_s = 0.0  # total time this limiter made its caller wait
        self.last_weight = 0.0  # weight of the latest request (for tests and metrics)
        self.for_account(account_key)

    def for_account(self, account_key: str | None) -> None:
        """Also keep to the order budget of this account."""
        if account_key is not None and self.budget.orders:
            self.order_bucket = Bucket.for_limit(
                f"{self.prefix}:account:{account_key}:orders",
                float(self.budget.orders),
                self.budget.order_seconds,
            )

    def acquire(self, *, cost: float, is_order: bool = False) -> None:
        weight = max(cost, 0.0) * self.budget.weight_per_cost
        self.last_weight = weight
        if weight:
            self._wait_for(self.weight_bucket, min(weight, self.weight_bucket.capacity))
        if is_order and self.order_bucket is not None:
            self._wait_for(self.order_bucket, 1.0)

    def _wait_for(self, bucket: Bucket, wanted: float) -> None:
        while True:
            try:
                wait_ms = _shared_store().take(bucket, self.backoff_key, wanted)
            except Exception as error:  # Redis unreachable: fall back to this process alone
                dependency_failed("rate limiter", "take", error)  # logged once a minute
                wait_ms = _store("local", "").take(bucket, self.backoff_key, wanted)
            if wait_ms <= 0:
                return
            time.sleep(wait_ms / 1000)
            self.waited_s += wait_ms / 1000

    def backoff(self, seconds: float, why: str = "answered rate limited") -> None:
        """Every process stops sending to this exchange for `seconds` (a 429/418 answer, or the
        exchange's count of this IP's weight near its limit)."""
        logger.warning(
            "%s %s: every process backs off for %.1f s.", self.budget.exchange_id, why, seconds
        )
        try:
            _shared_store().backoff(self.backoff_key, seconds)
        except Exception as error:
            dependency_failed("rate limiter", "backoff", error)
            _store("local", "").backoff(self.backoff_key, seconds)


def _used_weight(exchange_id: str, headers: Any) -> float | None:
    name = USED_WEIGHT_HEADERS.get(exchange_id)
    raw = (
        None if name is None or headers is None else headers.get(name) or headers.get(name.lower())
    )
    try:
        return float(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def used_weight_backoff_s(budget: ExchangeBudget, used: float, now_s: float) -> float:
    """Seconds to wait when the exchange says `used` of the budget's weight is spent in its
    window (fixed windows aligned to the epoch, as Binance's): 0 below the headroom, else until
    the window ends."""
    if used < budget.weight * USED_WEIGHT_HEADROOM:
        return 0.0
    return budget.seconds - now_s % budget.seconds


def _retry_after_s(headers: Any) -> float:
    raw = None
    if headers is not None:
        raw = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(float(raw), 0.0) if raw is not None else DEFAULT_BACKOFF_S
    except (TypeError, ValueError):
        return DEFAULT_BACKOFF_S


def rate_limiter_install(client: Any, *, account_key: str | None = None) -> SharedRateLimiter:
    """Make a ccxt client ask the shared budgets before each request and back every process off
    on a 429/418. ccxt's own per-process limiter (enableRateLimit) stays on. Installing again
    only adds the account's order budget."""
    existing = getattr(client, "shared_rate_limiter", None)
    if existing is not None:
        existing.for_account(account_key)
        return existing
    limiter = SharedRateLimiter(exchange_budget(client.id, float(client.rateLimit)), account_key)
    fetch2, throttle, on_rest_response = client.fetch2, client.throttle, client.on_rest_response
    pending = threading.local()  # what fetch2 is about to send, for throttle

    def limited_fetch2(path, api="public", method="GET", params=None, config=None, *args, **kw):
        params, config = params or {}, config or {}
        cost = float(client.calculate_rate_limiter_cost(api, method, path, params, config) or 0)
        is_order = method == "POST" and path in ORDER_PATHS
        if not client.enableRateLimit:  # ccxt will not call throttle: ask the budget here
            limiter.acquire(cost=cost, is_order=is_order)
        pending.request = (cost, is_order)
        return fetch2(path, api, method, params, config, *args, **kw)

    def limited_throttle(cost=None):
        throttle(cost)  # ccxt's per-process limiter first, then the shared budget: the grant
        # comes right before the request is signed and sent, so the exchange counts it in the
        # window the bucket accounted for.
        request = getattr(pending, "request", None)
        pending.request = None
        if request is not None:
            limiter.acquire(cost=request[0], is_order=request[1])

    def watched_response(code, reason, url, method, headers, body, *args, **kw):
        if code in (418, 429):
            limiter.backoff(_retry_after_s(headers))
        elif (used := _used_weight(client.id, headers)) is not None:
            wait = used_weight_backoff_s(limiter.budget, used, client.milliseconds() / 1000)
            if wait > 0:
                limiter.backoff(wait, f"counts {used:.0f} weight used on this IP")
        return on_rest_response(code, reason, url, method, headers, body, *args, **kw)

    client.fetch2 = limited_fetch2
    client.throttle = limited_throttle
    client.on_rest_response = watched_response
    client.shared_rate_limiter = limiter
    return limiter
