"""What the operations code keeps in Redis: worker heartbeats, the messages each worker has
reserved (prefetched or running), the beat lock; and what it reads from the broker (queue depth).

Only when the broker is Redis (production, tests): the embedded default runs one worker and one
beat from `make run` and keeps none of this.
"""

from __future__ import annotations

import json
import time
from functools import cache
from typing import Any

import redis
from django.conf import settings

HEARTBEAT_PREFIX = "ops:worker:"
RESERVED_PREFIX = "ops:reserved:"
# kombu's Redis transport keeps one list per priority step: "queue", "queue\x06\x163", ...
_PRIORITY_SEP = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def ops_redis() -> redis.Redis | None:
    return _client(settings.OPS_REDIS_URL) if settings.OPS_REDIS_URL else None


def broker_redis() -> redis.Redis | None:
    url = settings.CELERY_BROKER_URL
    return _client(url) if url.startswith(("redis://", "rediss://")) else None


def queue_depths(client: redis.Redis, queues: list[str]) -> dict[str, int]:
    pipe = client.pipeline()
    for queue in queues:
        for step in _PRIORITY_STEPS:
            pipe.llen(queue if step == 0 else f"{queue}{_PRIORITY_SEP}{step}")
    counts = pipe.execute()
    n = len(_PRIORITY_STEPS)
    return {queue: sum(counts[i * n : (i + 1) * n]) for i, queue in enumerate(queues)}


def heartbeat_write(client: redis.Redis, *, hostname: str, queues: list[str], pid: int) -> None:
    value = json.dumps({"queues": queues, "pid": pid, "at": time.time()})
    client.set(HEARTBEAT_PREFIX + hostname, value, ex=settings.OPS_HEARTBEAT_TTL_SECONDS)


def heartbeat_delete(client: redis.Redis, *, hostname: str) -> None:
    client.delete(HEARTBEAT_PREFIX + hostname)


def live_workers(client: redis.Redis) -> dict[str, dict[str, Any]]:
    """hostname -> {"queues": [...], "pid": ..., "at": epoch seconds} of workers alive now."""
    keys = list(client.scan_iter(match=HEARTBEAT_PREFIX + "*", count=500))
    values = client.mget(keys) if keys else []
    return {
        key.decode()[len(HEARTBEAT_PREFIX) :]: json.loads(value)
        for key, value in zip(keys, values, strict=True)
        if value is not None
    }


def reservation_add(client: redis.Redis, *, hostname: str, task_id: str, message: dict) -> None:
    client.hset(RESERVED_PREFIX + hostname, task_id, json.dumps(message))


def reservation_remove(client: redis.Redis, *, hostname: str, task_id: str) -> None:
    client.hdel(RESERVED_PREFIX + hostname, task_id)


def reservation_hosts(client: redis.Redis) -> list[str]:
    keys = client.scan_iter(match=RESERVED_PREFIX + "*", count=500)
    return [key.decode()[len(RESERVED_PREFIX) :] for key in keys]


def reservations_take(client: redis.Redis, *, hostname: str) -> list[dict]:
    """Remove and return every reservation of a (dead) worker, atomically: two sweepers never
    both get the same ones."""
    key = RESERVED_PREFIX + hostname
    pipe = client.pipeline(transaction=True)
    pipe.hgetall(key)
    pipe.delete(key)
    entries, _ = pipe.execute()
    return [json.loads(value) for value in entries.values()]
