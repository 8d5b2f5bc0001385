"""The cache degrades while Redis is away (config/cache.py): reads miss, writes are dropped, the
throttles count per process, the failure is counted and logged once; once Redis is back, a key
whose write was dropped is deleted (it may hold a stale value), and the cache works again."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from config.cache import FailSafeRedisCache
from config.degraded import DEPENDENCY_FAILURES

pytestmark = pytest.mark.django_db


def _cache(url: str, **options) -> FailSafeRedisCache:
    return FailSafeRedisCache(url, {"OPTIONS": {"socket_connect_timeout": 1, **options}})


def _failures(operation: str) -> float:
    return DEPENDENCY_FAILURES.labels(dependency="cache", operation=operation)._value.get()


@pytest.fixture
def away(private_redis):
    """The URL of a Redis that has just gone away."""
    private_redis.stop()
    return private_redis.url


def test_while_redis_is_away_reads_miss_and_writes_are_dropped(away, caplog, monkeypatch):
    monkeypatch.setattr("config.cache.RETRY_SECONDS", 0.0)  # every call tries Redis
    cache = _cache(away)
    before = _failures("get")
    with caplog.at_level(logging.WARNING, logger="config.degraded"):
        assert cache.get("k", "default") == "default"
        assert cache.get("k") is None
        assert cache.get_many(["a", "b"]) == {}
        cache.set("k", 1)
        assert cache.add("claim", 1) is True  # the caller goes ahead
        with pytest.raises(ValueError):
            cache.incr("version")  # "not set": callers fall back to set
        cache.delete("k")
    assert _failures("get") == before + 2
    # Logged once per interval (or not at all if another test logged this interval).
    assert len([r for r in caplog.records if "cache unavailable" in r.getMessage()]) <= 1


def test_with_a_local_fallback_values_live_in_the_process(away):
    cache = _cache(away, FALLBACK="local")
    cache.set("hits", [1, 2])
    assert cache.get("hits") == [1, 2]
    assert cache.add("hits", 0) is False
    cache.set("n", 1)
    assert cache.incr("n") == 2


def test_a_key_written_while_away_is_deleted_once_redis_answers(private_redis, monkeypatch):
    monkeypatch.setattr("config.cache.RETRY_SECONDS", 0.0)
    cache = _cache(private_redis.url)
    cache.set("version", 1)
    cache.set("other", "kept")
    private_redis.stop(keep_data=True)
    cache.set("version", 2)  # dropped: Redis still says 1, a stale version
    private_redis.start()
    assert cache.get("version") is None  # the stale key is deleted before the first read
    assert cache.get("other") == "kept"
    cache.set("version", 3)
    assert cache.get("version") == 3


def test_after_a_failure_redis_is_left_alone_for_a_while(away, monkeypatch):
    monkeypatch.setattr("config.cache.RETRY_SECONDS", 3600.0)
    cache = _cache(away)
    cache.get("k")
    before = _failures("get")
    for _ in range(5):
        assert cache.get("k") is None
    assert _failures("get") == before  # answered degraded without a connection attempt


def test_the_api_answers_and_throttles_with_redis_away(away, settings, monkeypatch):
    options = {"socket_connect_timeout": 1}
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailSafeRedisCache",
            "LOCATION": away,
            "OPTIONS": options,
        },
        "throttle": {
            "BACKEND": "config.cache.FailSafeRedisCache",
            "LOCATION": away,
            "KEY_PREFIX": "throttle",
            "OPTIONS": {**options, "FALLBACK": "local"},
        },
    }
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "9/minute"}
    )
    caches["throttle"].clear()
    client = APIClient(REMOTE_ADDR="10.7.0.1")
    for _ in range(3):
        assert client.get("/api/datafeeds/symbols/").status_code == 200
    response = client.get("/api/datafeeds/symbols/")
    assert response.status_code == 429  # the limit holds, counted in this process
    assert APIClient(REMOTE_ADDR="10.7.0.2").get("/api/datafeeds/symbols/").status_code == 200
