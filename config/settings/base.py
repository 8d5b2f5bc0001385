"""Settings shared by every environment, all read from the environment (and `.env` if present).

Every key has a local default: with no `.env` the platform runs embedded (SQLite, in-memory
channel layer, Celery on a filesystem broker), so `make run` needs no Redis or PostgreSQL.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from redis.asyncio.retry import Retry as RedisAsyncRetry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry as RedisRetry

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"  # local state of the embedded default (SQLite file, Celery queue)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.str(name, default=default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value


def _json_object(name: str, default: dict) -> dict:
    raw = env.str(name, default="")
    if not raw:
        return default
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, got {type(value).__name__}.")
    return value


def local_secret_key() -> str:
    """This install's own random key, made on first use and kept in var/secret_key (never
    committed): local development and tests need no configuration and share no secret."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # two processes: one wins
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# --- Core -----------------------------------------------------------------------------------
# No key in code: production demands DJANGO_SECRET_KEY, local and test settings fall back to
# local_secret_key(). DEBUG is off unless the environment or the local settings turn it on.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])  # key rotation
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# The debug page and error reports mask credentials in every setting, URLs included.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.debug.CredentialsHidingFilter"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "apps.accounts",
    "apps.datafeeds",
    "apps.strategies",
    "apps.analytics",
    "apps.risk",
    "apps.ops",
    "apps.exchanges",
    "apps.execution",
    "apps.notifications",
    "apps.optimisation",
]

MIDDLEWARE = [
    "apps.ops.middleware.RequestObservabilityMiddleware",  # first: times and logs everything
    "config.http_cache.PublicGzipMiddleware",  # before sessions and CSRF: sees their cookies
    "django.middleware.security.SecurityMiddleware",
    "config.errors.JsonApiErrorsMiddleware",
    "config.request_limits.RequestLimitsMiddleware",  # bodies over a limit: 4xx, no view runs
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into a 429
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
# The browser app (`npm run build` in frontend/) is served at / by WhiteNoise: index.html and
# its hashed assets, from the same origin as the API. Without a build, / shows a landing page.
# FRONTEND_DIST points elsewhere for the browser tests' build (frontend/dist-e2e: test handles on).
FRONTEND_DIST = Path(env.str("FRONTEND_DIST", default=str(BASE_DIR / "frontend" / "dist")))
WHITENOISE_ROOT = FRONTEND_DIST
WHITENOISE_INDEX_FILE = True
WHITENOISE_IMMUTABLE_FILE_TEST = "config.static.immutable_file"

# --- Database -------------------------------------------------------------------------------
DB_ENGINE = _choice("DJANGO_DB_ENGINE", "sqlite", ("sqlite", "postgresql"))
if DB_ENGINE == "sqlite":
    # A relative name lives under var/, never in whatever directory the process started in.
    SQLITE_PATH = VAR_DIR / env.str("DJANGO_DB_NAME", default="db.sqlite3")
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/ yet
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            # Celery and the web server write concurrently: wait for the lock instead of failing.
            # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so it waits for
            # another writer (timeout) instead of failing "database is locked" on upgrade.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env.str("DJANGO_DB_NAME", default="bot_trading"),
            "USER": env.str("DJANGO_DB_USER", default="postgres"),
            "PASSWORD": env.str("DJANGO_DB_PASSWORD", default=""),
            "HOST": env.str("DJANGO_DB_HOST", default="127.0.0.1"),
            "PORT": env.int("DJANGO_DB_PORT", default=5432),
            # A connection pool per process: under ASGI each request may run on another thread,
            # so persistent per-thread connections (CONN_MAX_AGE) would pile up.
            "OPTIONS": {
                "pool": {
                    "min_size": 1,
                    "max_size": env.int("DJANGO_DB_POOL_SIZE", default=8),
                    "timeout": env.float("DJANGO_DB_POOL_TIMEOUT", default=10),  # seconds
                }
            },
            # With a pool, Django passes psycopg_pool's `check=ConnectionPool.check_connection`:
            # a pooled connection is tested before use, so after a database restart requests
            # never get a dead connection (a 500).
            "CONN_HEALTH_CHECKS": True,
        }
    }

# --- Redis, Channels and Celery ----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")

# Every Redis client the project creates (channel layer, cache, Celery broker and results) gets
# these timeouts on purpose (docs/redis.md). redis-py 8 gives each client a 5 s socket timeout
# by default, exactly the 5 s that channels_redis blocks in BZPOPMIN waiting for a consumer's
# next message: the client gave up just as the server's empty answer arrived, and every quiet
# WebSocket died with "Timeout reading from" after ~5 s.
# Seconds to open a TCP connection and finish the handshake: Redis on the network answers in
# milliseconds; longer means it is down, and the caller should hear so while a user still waits.
REDIS_CONNECT_TIMEOUT = 5.0
# Seconds to wait for any one reply. It must exceed the longest server-side block of a command we
# send (channels_redis's BZPOPMIN, RedisChannelLayer.brpop_timeout = 5 s; Celery's BRPOP, 1 s)
# plus network slack, or a healthy idle wait is taken for a dead server. A dead or
# partitioned server still surfaces within 10 s instead of hanging a worker or request forever.
REDIS_SOCKET_TIMEOUT = 10.0
# Seconds a pooled connection may sit unused before it is PINGed on its next use, so a
# connection the server or a NAT dropped (Redis `timeout`, idle firewalls) is replaced
# transparently instead of failing the next command. Busy connections never pay for it.
REDIS_HEALTH_CHECK_SECONDS = 10
# TCP keepalive, for a peer that vanished without closing (no FIN/RST): probes start after
# 10 s of silence, every 5 s, 3 unanswered = dead, so a dead peer is found within 25 s even on a
# connection waiting in a blocking read. They never close a healthy connection.
REDIS_KEEPALIVE_OPTIONS = {
    getattr(socket, name): value
    for name, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3))
    if hasattr(socket, name)  # Linux names; other systems keep their defaults
}
REDIS_CLIENT_OPTIONS = {  # redis-py keyword arguments, shared by every client below
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_keepalive": True,
    "socket_keepalive_options": REDIS_KEEPALIVE_OPTIONS,
    "health_check_interval": REDIS_HEALTH_CHECK_SECONDS,
}
# After an outage the pools still hold connections the server closed: the first command on
# each would fail. One immediate retry on a fresh connection makes the first request or socket
# after Redis comes back succeed (a Redis still away fails the retry as fast).
REDIS_RETRY_OPTIONS = {
    "retry": RedisRetry(NoBackoff(), 1),
    "retry_on_error": [RedisConnectionError, RedisTimeoutError],
}
REDIS_ASYNC_RETRY_OPTIONS = {**REDIS_RETRY_OPTIONS, "retry": RedisAsyncRetry(NoBackoff(), 1)}

CHANNEL_LAYER_BACKEND = _choice("CHANNEL_LAYER_BACKEND", "memory", ("memory", "redis"))
if CHANNEL_LAYER_BACKEND == "redis":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A host dict: channels_redis passes its keys to redis-py's ConnectionPool.from_url.
            "CONFIG": {
                "hosts": [
                    {"address": REDIS_URL, **REDIS_CLIENT_OPTIONS, **REDIS_ASYNC_RETRY_OPTIONS}
                ],
                # A group forgets a member after this long; open sockets renew theirs every
                # REALTIME_GROUP_RENEW_SECONDS (apps/realtime/consumers.py).
                "group_expiry": env.int("CHANNEL_LAYER_GROUP_EXPIRY", default=86_400),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# WebSockets (apps/realtime, docs/backtesting.md "Replay over WebSocket"). Seconds between two
# server heartbeats on every socket; a client that hears nothing for 3 of them declares the
# connection dead and reconnects.
REALTIME_HEARTBEAT_SECONDS = env.float("REALTIME_HEARTBEAT_SECONDS", default=5.0)
# How often an open socket renews its channel-layer group memberships (well under the layer's
# group_expiry, so a page left open for days keeps receiving its messages).
REALTIME_GROUP_RENEW_SECONDS = env.float("REALTIME_GROUP_RENEW_SECONDS", default=3_600.0)
# Open replay sockets per user (across every server process); one more is refused with 4429.
REPLAY_MAX_SOCKETS_PER_USER = env.int("REPLAY_MAX_SOCKETS_PER_USER", default=4)

# The embedded default is a filesystem broker: a real worker process consumes it, so HTTP
# requests never block on a long task, and no Redis is needed. Production sets redis://.
CELERY_QUEUE_DIR = Path(env.str("CELERY_QUEUE_DIR", default=str(VAR_DIR / "celery")))
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=f"file://{CELERY_QUEUE_DIR / 'results'}"
)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TRACK_STARTED = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # kombu passes these to redis-py; its own health check also drops a BRPOP connection whose
    # reply is overdue by brpop_timeout (1 s) + health_check_interval.
    CELERY_BROKER_TRANSPORT_OPTIONS = dict(REDIS_CLIENT_OPTIONS)
# The result backend (Celery's redis_* settings): Celery's own default socket timeout is 120 s.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_KEEPALIVE = True
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = REDIS_HEALTH_CHECK_SECONDS
# Minutes between two ticks of the tracked symbols' refresh by celery beat, on candle boundaries
# (multiples since the epoch, UTC) plus a delay in seconds that lets the exchange close them.
# A tick downloads only the series whose candle closed at that boundary (or that lag), so 1
# serves 1m candles without downloading a 4h series every minute.
DATAFEEDS_REFRESH_MINUTES = env.float("DATAFEEDS_REFRESH_MINUTES", default=1)
DATAFEEDS_REFRESH_DELAY_SECONDS = env.float("DATAFEEDS_REFRESH_DELAY_SECONDS", default=2)
from apps.datafeeds.schedules import CandleBoundarySchedule  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "refresh-tracked-symbols": {
        "task": "datafeeds.refresh_tracked_symbols",
        "schedule": CandleBoundarySchedule(
            DATAFEEDS_REFRESH_MINUTES * 60.0, delay=DATAFEEDS_REFRESH_DELAY_SECONDS
        ),
    },
    # Bots' books against their venue (docs/bots.md).
    "reconcile-bots": {"task": "execution.reconcile_bots", "schedule": 600.0},
}
# A running bot whose decision is late is reported stalled (apps/execution/health.py) within
# this many seconds.
EXECUTION_WATCH_SECONDS = env.float("EXECUTION_WATCH_SECONDS", default=30)
CELERY_BEAT_SCHEDULE["bots-watch"] = {
    "task": "execution.bots_watch",
    "schedule": EXECUTION_WATCH_SECONDS,
}

# --- Cache --------------------------------------------------------------------------------
# Shared by every process (web, workers): Redis when configured, else files under var/cache.
CACHE_BACKEND = _choice(
    "CACHE_BACKEND", "redis" if CHANNEL_LAYER_BACKEND == "redis" else "file", ("redis", "file")
)
# On Redis the cache degrades while Redis is away (config/cache.py): reads miss, writes are
# dropped, and the throttles count per process, so the API keeps answering.
if CACHE_BACKEND == "redis":
    _CACHE_OPTIONS = {**REDIS_CLIENT_OPTIONS, **REDIS_RETRY_OPTIONS}  # redis-py's pool's
    _CACHE_REDIS = {
        "BACKEND": "config.cache.FailSafeRedisCache",
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        "OPTIONS": _CACHE_OPTIONS,
    }
    CACHES = {
        "default": _CACHE_REDIS,
        "throttle": {
            **_CACHE_REDIS,
            "KEY_PREFIX": "throttle",
            "OPTIONS": {**_CACHE_OPTIONS, "FALLBACK": "local"},
        },
    }
else:
    _CACHE_FILES = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
    CACHES = {"default": _CACHE_FILES, "throttle": {**_CACHE_FILES, "KEY_PREFIX": "throttle"}}
# Seconds a strategy run response is reused while its candles are unchanged (0: never).
STRATEGY_RUN_CACHE_SECONDS = env.int("STRATEGY_RUN_CACHE_SECONDS", default=600)
# The same for candles endpoint answers (config/http_cache.py, docs/datafeeds.md).
MARKET_DATA_CACHE_SECONDS = env.int("MARKET_DATA_CACHE_SECONDS", default=600)

# --- Accounts: passwords, sessions, login lock-out ----------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "apps.accounts.lockout.LockoutBackend",  # first: refuses a locked-out login (django-axes)
    "django.contrib.auth.backends.ModelBackend",
]
# Database sessions that know their user, so "log out everywhere" can end them all.
SESSION_ENGINE = "apps.accounts.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)  # seconds
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"  # JSON under /api/
# Proxies in front of the app that append to X-Forwarded-For (0: use the socket's address).
# Login lock-out and throttles key on the client address, so only trust what you run.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# django-axes: after AXES_FAILURE_LIMIT failed logins of one username from one address, that
# pair is refused for AXES_COOLOFF_TIME, for the API login, token creation and /admin/. Per pair,
# so one guesser behind an office's or a carrier's address locks out no one else there; the
# `auth` rate below slows an address guessing at many accounts (docs/security.md).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A success does not wipe the failures: else an attacker with an account of their own could reset
# their address's count between guesses at others'. Failures expire after the cool-off.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "apps.accounts.lockout.client_ip"
AXES_VERBOSE = False
# API tokens (django-rest-knox): one per client, stored as SHA-512 digests, expiring.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)  # default lifetime of a token
API_TOKEN_MAX_TTL_DAYS = 365  # the longest a client may ask for
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations would create its (swapped-out, unused) token table anyway.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKEN_LIMIT_PER_USER", default=20),
    "AUTH_HEADER_PREFIX": "Token",
}

# --- CORS ------------------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:5173"])
CORS_ALLOW_CREDENTIALS = env.bool("CORS_ALLOW_CREDENTIALS", default=True)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=CORS_ALLOWED_ORIGINS)

# --- Secrets at rest (exchange credentials) --------------------------------------------------
# Fernet keys, newest first; unset in development: a generated key in var/ (apps/exchanges).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Shared exchange request budgets (apps/exchanges/ratelimit.py), JSON over the defaults, e.g.
# {"binance": {"weight": 6000, "seconds": 60, "weight_per_cost": 5, "orders": 100}}.
EXCHANGE_RATE_LIMITS = _json_object("EXCHANGE_RATE_LIMITS", {})
# ccxt's verbose request/response log for account clients (DEBUG level, secrets redacted).
EXCHANGE_CCXT_VERBOSE = env.bool("EXCHANGE_CCXT_VERBOSE", default=False)

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a bad token then answers 401 with a WWW-Authenticate header.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Requests per client address (anonymous) or per user; 429 with Retry-After beyond.
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonRateThrottle",
        "config.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="300/minute"),
        "user": env.str("THROTTLE_USER", default="1200/minute"),
        # sign-up, login and token creation, per client address
        "auth": env.str("THROTTLE_AUTH", default="30/minute"),
        # compiling a user's strategy text (validate as they type, save, new version), per user:
        # each costs ~10 ms, the worst text a limit allows ~1 s (docs/strategies/language.md)
        "strategy-compile": env.str("THROTTLE_STRATEGY_COMPILE", default="240/minute"),
        # an alert channel's "Send test", per user: each one is a message to the user's service
        "alert-test": env.str("THROTTLE_ALERT_TEST", default="10/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT or None,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "config.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bot Trading API",
    "DESCRIPTION": "Market data, strategies, backtests and bots.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, so the generated front-end types have one Timeframe type.
    "ENUM_NAME_OVERRIDES": {
        "TimeframeEnum": "apps.datafeeds.timeframes.TIMEFRAMES",
        "BacktestStatusEnum": "apps.analytics.models.BacktestStatus",
        "SweepStatusEnum": "apps.analytics.serializers.SWEEP_STATUSES",
        "SideEnum": "apps.analytics.serializers.TRADE_SIDES",
        "BotStatusEnum": "apps.execution.models.BotStatus",
        "AlertStatusEnum": "apps.notifications.models.AlertStatus",
        "AlertEventEnum": "apps.notifications.events.EVENTS",
        "BotModeEnum": "apps.execution.models.BotMode",
        "StudyStatusEnum": "apps.optimisation.models.StudyStatus",
        "WalkForwardModeEnum": "apps.optimisation.models.WalkForwardMode",
    },
}

# --- Quotas ----------------------------------------------------------------------------------
# Backtests one user may have queued or running at once (a sweep counts each of its runs).
BACKTEST_MAX_ACTIVE_RUNS = env.int("BACKTEST_MAX_ACTIVE_RUNS", default=200)
# Runs (grid combinations) in one sweep.
BACKTEST_MAX_SWEEP_RUNS = env.int("BACKTEST_MAX_SWEEP_RUNS", default=200)
# Parameter studies (docs/optimisation.md): unfinished studies per user (a walk-forward counts
# each window's study), and trials per study.
OPTIMISATION_MAX_ACTIVE_STUDIES = env.int("OPTIMISATION_MAX_ACTIVE_STUDIES", default=20)
OPTIMISATION_MAX_TRIALS = env.int("OPTIMISATION_MAX_TRIALS", default=5000)
# Tasks sent per study: each pulls trials from the shared Optuna study until it is finished, so
# this many backtest workers at most work on one study at once.
OPTIMISATION_TASKS_PER_STUDY = env.int("OPTIMISATION_TASKS_PER_STUDY", default=2)
# Seconds between a running trial's heartbeats; a trial silent for 3 heartbeats (its worker
# killed) is failed and enqueued again by the workers still on the study.
OPTIMISATION_HEARTBEAT_SECONDS = env.int("OPTIMISATION_HEARTBEAT_SECONDS", default=10)
# Seconds between a worker's progress updates of a study (trials done, best so far, pushed to
# the owner's page); the last is always written. 0: after every trial.
OPTIMISATION_PROGRESS_SECONDS = env.float("OPTIMISATION_PROGRESS_SECONDS", default=1.0)
# Megabytes of indicator results a worker keeps per study to reuse across its trials (the
# least recently used go first; about 0.8 MB per indicator over a year of 5m bars).
OPTIMISATION_MEMO_MB = env.int("OPTIMISATION_MEMO_MB", default=64)

# --- Market data -------------------------------------------------------------------------
# Per-exchange API host overrides, e.g. {"binance": "http://127.0.0.1:9100"} for the emulator.
EXCHANGE_API_HOSTS = _json_object("EXCHANGE_API_HOSTS", {})
DATAFEEDS_DEFAULT_EXCHANGE = env.str("DATAFEEDS_DEFAULT_EXCHANGE", default="binance")
# Milliseconds ccxt waits for one exchange response before a RequestTimeout (then retried).
DATAFEEDS_EXCHANGE_TIMEOUT_MS = env.int("DATAFEEDS_EXCHANGE_TIMEOUT_MS", default=10_000)
# Seconds to wait before retry 1, 2, ...; one more attempt than delays (5 attempts by default).
DATAFEEDS_RETRY_DELAYS = [
    float(s) for s in env.list("DATAFEEDS_RETRY_DELAYS", default=["1", "2", "5", "10"])
]
# Upper bound of rows returned by the candles endpoint in one response.
CANDLES_MAX_LIMIT = 10_000

# --- Strategies ------------------------------------------------------------------------------
# Directories of the operator's Python strategies (docs/strategies/plugins.md): every `*.py` in
# them is imported once per process, after the built-ins, and registers its StrategySpec.
# Comma or colon separated; a relative path is relative to the project directory. Empty: none.
# Plugins are trusted code: they run inside every web and worker process.
STRATEGY_PLUGIN_DIRS = [
    str(BASE_DIR / path.strip())
    for path in env.str("STRATEGY_PLUGIN_DIRS", default="").replace(":", ",").split(",")
    if path.strip()
]

# --- Operations (apps/ops, docs/operations.md): logs, metrics, health, queues, recovery ------
from apps.ops.logs import LOG_FORMATS, logging_config, structlog_configure  # noqa: E402
from apps.ops.metrics_dir import metrics_dir_prepare  # noqa: E402

# "json" (one JSON object per line; production's default) or "console" (readable).
LOG_FORMAT = _choice("LOG_FORMAT", "console", LOG_FORMATS)
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
# Dotted path of a logging.Filter that redacts secrets, put on the log handler (every record).
LOG_REDACTION_FILTER = env.str("LOG_REDACTION_FILTER", default="")
LOGGING = logging_config(
    log_format=LOG_FORMAT, level=LOG_LEVEL, redaction_filter=LOG_REDACTION_FILTER
)
structlog_configure()
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING above

# prometheus_client's multiprocess folder, shared by every process of this host (set before
# prometheus_client is imported; created here; wiped by `manage.py ops_prepare` at deploy).
PROMETHEUS_MULTIPROC_DIR = metrics_dir_prepare(VAR_DIR / "prometheus")
# /metrics answers a request with `Authorization: Bearer <token>`, or from these networks.
OPS_METRICS_TOKEN = env.str("OPS_METRICS_TOKEN", default="")
OPS_METRICS_ALLOWED_NETWORKS = env.list(
    "OPS_METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"] if DEBUG else []
)

# Queues by kind of work, so that a sweep never delays a bot: run a worker per queue in
# production. A worker started without -Q consumes them all.
CELERY_QUEUE_NAMES = ["bots", "ingest", "backtests", "notifications"]  # by priority, highest first
CELERY_TASK_QUEUES = {name: {"exchange": name, "routing_key": name} for name in CELERY_QUEUE_NAMES}
CELERY_TASK_DEFAULT_QUEUE = "ingest"
CELERY_TASK_ROUTES = {
    # The watch says when the bots queue has no worker: it must not wait on that queue.
    "execution.bots_watch": {"queue": "ingest"},
    "execution.*": {"queue": "bots"},
    "bots.*": {"queue": "bots"},
    "ops.*": {"queue": "bots"},  # the sweeper: small, and must not wait behind a sweep
    "analytics.*": {"queue": "backtests"},
    "optimisation.*": {"queue": "backtests"},  # a study's trials are backtests
    "datafeeds.*": {"queue": "ingest"},
    # Alerts wait on other services (Telegram, SMTP...): a queue of their own, never the bots'.
    "notifications.*": {"queue": "notifications"},
}
CELERY_BEAT_SCHEDULER = "apps.ops.beat.SingleBeatScheduler"
# Seconds an unacknowledged message waits before Redis delivers it again: must stay above the
# longest task (a longer one would run twice). Lost work comes back through the sweeper instead.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # the Redis client timeouts set above
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # A worker serving several queues takes them in CELERY_QUEUE_NAMES order (bots first).
        "queue_order_strategy": "priority",
    }

# Heartbeats, reservations and the beat lock live in Redis when the broker is Redis.
OPS_REDIS_URL = REDIS_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
REDIS_REQUIRED = CHANNEL_LAYER_BACKEND == "redis" or CACHE_BACKEND == "redis" or bool(OPS_REDIS_URL)
OPS_HEARTBEAT_SECONDS = env.float("OPS_HEARTBEAT_SECONDS", default=10)
OPS_HEARTBEAT_TTL_SECONDS = max(1, int(env.float("OPS_HEARTBEAT_TTL_SECONDS", default=30)))
# A claimed run's lease, renewed every third of it; expired = its worker or database is gone.
OPS_LEASE_SECONDS = env.float("OPS_LEASE_SECONDS", default=60)
# After re-enqueueing expired work, wait this long before re-enqueueing it again.
OPS_REQUEUE_GRACE_SECONDS = env.float("OPS_REQUEUE_GRACE_SECONDS", default=600)
OPS_SWEEP_SECONDS = env.float("OPS_SWEEP_SECONDS", default=30)
OPS_BEAT_LOCK_SECONDS = max(1, int(env.float("OPS_BEAT_LOCK_SECONDS", default=30)))
CELERY_BEAT_SCHEDULE["ops-work-sweep"] = {"task": "ops.work_sweep", "schedule": OPS_SWEEP_SECONDS}
# Tasks whose send failed at commit (the broker away) wait in the outbox (apps/ops/enqueue.py);
# every OPS_OUTBOX_SWEEP_SECONDS those older than the grace are sent.
OPS_OUTBOX_SWEEP_SECONDS = env.float("OPS_OUTBOX_SWEEP_SECONDS", default=5)
OPS_OUTBOX_GRACE_SECONDS = env.float("OPS_OUTBOX_GRACE_SECONDS", default=10)
CELERY_BEAT_SCHEDULE["ops-outbox-sweep"] = {
    "task": "ops.outbox_sweep",
    "schedule": OPS_OUTBOX_SWEEP_SECONDS,
}
# A send to an unreachable broker gives up after ~1 s (Celery's default policy retries for
# longer); the task waits in the outbox meanwhile.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Seconds before the first retry of a backtest task whose database went away (then doubling,
# 3 retries): after that the run's lease expires and the sweeper sends it again.
BACKTEST_RETRY_BACKOFF_SECONDS = env.int("BACKTEST_RETRY_BACKOFF_SECONDS", default=5)
# --- Alerts (apps/notifications, docs/alerts.md) ----------------------------------------------
# Alerts of one channel with the same dedupe key (e.g. one bot's errors) within this many seconds
# are sent once; the others are counted and one summary follows when the window ends.
ALERT_DEDUPE_SECONDS = env.int("ALERT_DEDUPE_SECONDS", default=900)
# Alerts one channel sends per hour (summaries and tests included); beyond, they are recorded
# as suppressed, not sent.
ALERT_RATE_PER_HOUR = env.int("ALERT_RATE_PER_HOUR", default=30)
# Seconds "which of this user's channels want which events" is cached for the bots' steps
# (invalidated when a channel changes).
ALERT_CHANNELS_CACHE_SECONDS = env.int("ALERT_CHANNELS_CACHE_SECONDS", default=60)
# Seconds before the first retry of a failed send (then doubling, 5 retries, at most 10 min).
ALERT_RETRY_SECONDS = env.float("ALERT_RETRY_SECONDS", default=10)
# How often the due summaries are sent (and sends a dead worker left are queued again).
ALERT_SWEEP_SECONDS = env.float("ALERT_SWEEP_SECONDS", default=60)
if ALERT_DEDUPE_SECONDS < 0 or ALERT_RATE_PER_HOUR < 1 or ALERT_RETRY_SECONDS < 0:
    raise ImproperlyConfigured(
        "ALERT_DEDUPE_SECONDS must be >= 0, ALERT_RATE_PER_HOUR >= 1 and ALERT_RETRY_SECONDS >= 0"
    )
CELERY_BEAT_SCHEDULE["notifications-alerts-sweep"] = {
    "task": "notifications.alerts_sweep",
    "schedule": ALERT_SWEEP_SECONDS,
}

# /readyz also requires a live worker per queue (production).
OPS_READYZ_REQUIRE_WORKERS = env.bool("OPS_READYZ_REQUIRE_WORKERS", default=False)

# ---------------------------------------------------------------------------------------------
# Live bots (docs/bots.md, "Live orders"): an order whose answer was lost and whose lookup by
# client id answers "does not exist" is believed missing only after this long since its send
# (Binance answers -2013 for a while after accepting), and only then sent again, at most
# EXECUTION_ORDER_MAX_SENDS times in all.
EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS = env.float(
    "EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS", default=60
)
EXECUTION_ORDER_MAX_SENDS = env.int("EXECUTION_ORDER_MAX_SENDS", default=3)
# A close that fills only in part sends the rest again, at most this many times (then the bot
# stops so that its owner decides); a rest below the exchange's minimum is dust, written off.
EXECUTION_CLOSE_REMAINDER_SENDS = env.int("EXECUTION_CLOSE_REMAINDER_SENDS", default=3)
if EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS <= 0 or EXECUTION_ORDER_MAX_SENDS < 1:
    raise ImproperlyConfigured(
        "EXECUTION_ORDER_NOT_FOUND_WINDOW_SECONDS must be > 0 and EXECUTION_ORDER_MAX_SENDS >= 1"
    )
