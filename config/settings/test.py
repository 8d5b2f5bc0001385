"""The test suite: PostgreSQL and Redis over real connections, fast retries, fast hashing."""

import os
import tempfile

# Tests run against the real services whatever a developer's `.env` says. `make test` runs three
# pytest-xdist workers (gw0..gw2; most tests wait on processes and sockets, so three keep two
# cores busy): each has its own PostgreSQL database (pytest-django) and its own five Redis
# databases of TEST_REDIS_SERVER (gw0: 15..11, gw1: 10..6, gw2: 5..1; database 0 is left to a
# developer's `make run`), so one worker's Celery broker never hands its tasks to another's.
# Chosen once per worker (xdist's workers inherit the controller's environment), kept in
# os.environ for the processes a test starts.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
if os.environ.get("TEST_REDIS_WORKER") != _worker:
    _server = os.environ.get("TEST_REDIS_SERVER", "redis://127.0.0.1:6379").rstrip("/")
    _block = 15 - 5 * int(_worker.removeprefix("gw") or 0)
    if _block - 4 < 1:
        raise RuntimeError(f"{_worker}: Redis has databases for three test workers (-n 3) only")
    os.environ.update(
        TEST_REDIS_WORKER=_worker,
        REDIS_URL=f"{_server}/{_block}",
        CELERY_BROKER_URL=f"{_server}/{_block - 1}",
        CELERY_RESULT_BACKEND=f"{_server}/{_block - 1}",
        CACHE_URL=f"{_server}/{_block - 2}",
        # Metrics of this worker (and the processes its tests start) in a folder of their own.
        PROMETHEUS_MULTIPROC_DIR=tempfile.mkdtemp(prefix=f"prometheus-test-{_worker}-"),
    )
os.environ.setdefault("DJANGO_DB_ENGINE", "postgresql")
os.environ.setdefault("CHANNEL_LAYER_BACKEND", "redis")
os.environ.setdefault("DATAFEEDS_RETRY_DELAYS", "0.01,0.02,0.05,0.1")
# Tests roll back their transactions, so on-commit cache invalidation never runs: caching of
# strategy runs is off except in the tests that exercise it.
os.environ.setdefault("STRATEGY_RUN_CACHE_SECONDS", "0")
os.environ.setdefault("MARKET_DATA_CACHE_SECONDS", "0")
# A fixed test-only key for exchange credentials (never used outside the test suite).
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "0hD33Ss-RLPSOG-6pfS0ruPejERlLG9gw8bJpY4xHUY=")

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
        "strategy-compile": "100000/minute",
        "alert-test": "100000/minute",
    },
}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Live-bot kill tests only (apps/execution/tests/test_live.py): a process started with
# EXECUTION_TEST_PAUSE_AT=<point> writes EXECUTION_TEST_PAUSE_MARKER and waits at that point of
# an order's send (before_send, after_claim, after_request) to be SIGKILLed there.
EXECUTION_TEST_PAUSE_AT = os.environ.get("EXECUTION_TEST_PAUSE_AT", "")
EXECUTION_TEST_PAUSE_MARKER = os.environ.get("EXECUTION_TEST_PAUSE_MARKER", "")
