"""The test suite: PostgreSQL and Redis over real connections, fast retries, fast hashing."""

import os
import tempfile

# Tests run against the real services whatever a developer's `.env` says.
os.environ.setdefault("DJANGO_DB_ENGINE", "postgresql")
os.environ.setdefault("CHANNEL_LAYER_BACKEND", "redis")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DATAFEEDS_RETRY_DELAYS", "0.01,0.02,0.05,0.1")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/13")
# Tests roll back their transactions, so on-commit cache invalidation never runs: caching of
# strategy runs is off except in the tests that exercise it.
os.environ.setdefault("STRATEGY_RUN_CACHE_SECONDS", "0")
os.environ.setdefault("MARKET_DATA_CACHE_SECONDS", "0")
# A fixed test-only key for exchange credentials (never used outside the test suite).
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "0hD33Ss-RLPSOG-6pfS0ruPejERlLG9gw8bJpY4xHUY=")

# Metrics of this test session (and the processes it starts) in a folder of their own.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="prometheus-test-"))

from .base import *  # noqa: E402, F403
from .base import SECRET_KEY, local_secret_key  # noqa: E402

SECRET_KEY = SECRET_KEY or local_secret_key()
# The suite makes thousands of requests from one address: throttles that tests do not exercise
# stay out of the way (tests of throttling set their own rates).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/minute",
        "user": "100000/minute",
        "auth": "100000/minute",
    },
}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Live-bot kill tests only (apps/execution/tests/test_live.py): a process started with
# EXECUTION_TEST_PAUSE_AT=<point> writes EXECUTION_TEST_PAUSE_MARKER and waits at that point of
# an order's send (before_send, after_claim, after_request) to be SIGKILLed there.
EXECUTION_TEST_PAUSE_AT = os.environ.get("EXECUTION_TEST_PAUSE_AT", "")
EXECUTION_TEST_PAUSE_MARKER = os.environ.get("EXECUTION_TEST_PAUSE_MARKER", "")
