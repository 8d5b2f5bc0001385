"""DRF's rate throttles on the `throttle` cache (config/cache.py, FALLBACK local): while Redis
is away they count per process instead of answering 500, and the API stays up."""

from __future__ import annotations

from django.core.cache import caches
from rest_framework import throttling


class _OnThrottleCache:
    @property
    def cache(self):
        return caches["throttle"]


class AnonRateThrottle(_OnThrottleCache, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_OnThrottleCache, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_OnThrottleCache, throttling.ScopedRateThrottle):
    pass
