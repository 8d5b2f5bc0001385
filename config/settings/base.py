"""Settings shared by every environment, all read from the environment (and `.env` if present).

Every key has a local default: with no `.env` the platform runs embedded (SQLite, in-memory
channel layer, Celery on a filesystem broker), so `make run` needs no Redis or PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

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


# --- Core -----------------------------------------------------------------------------------
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
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
]

MIDDLEWARE = [
    "apps.ops.middleware.RequestObservabilityMiddleware",  # first: times and logs everything
    "config.http_cache.PublicGzipMiddleware",  # before sessions and CSRF: sees their cookies
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
STATIC_ROOT = BASE_DIR / "var" / "static"
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
            "OPTIONS": {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"},
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

CHANNEL_LAYER_BACKEND = _choice("CHANNEL_LAYER_BACKEND", "memory", ("memory", "redis"))
if CHANNEL_LAYER_BACKEND == "redis":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

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
# Minutes between two refreshes of the tracked symbols by celery beat.
DATAFEEDS_REFRESH_MINUTES = env.float("DATAFEEDS_REFRESH_MINUTES", default=5)
CELERY_BEAT_SCHEDULE = {
    "refresh-tracked-symbols": {
        "task": "datafeeds.refresh_tracked_symbols",
        "schedule": DATAFEEDS_REFRESH_MINUTES * 60.0,
    }
}

# --- Cache --------------------------------------------------------------------------------
# Shared by every process (web, workers): Redis when configured, else files under var/cache.
CACHE_BACKEND = _choice(
    "CACHE_BACKEND", "redis" if CHANNEL_LAYER_BACKEND == "redis" else "file", ("redis", "file")
)
if CACHE_BACKEND == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Seconds a strategy run response is reused while its candles are unchanged (0: never).
STRATEGY_RUN_CACHE_SECONDS = env.int("STRATEGY_RUN_CACHE_SECONDS", default=600)
# The same for candles endpoint answers (config/http_cache.py, docs/datafeeds.md).
MARKET_DATA_CACHE_SECONDS = env.int("MARKET_DATA_CACHE_SECONDS", default=600)

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
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
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
    },
}

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
# production. A worker started without -Q consumes all three.
CELERY_QUEUE_NAMES = ["bots", "ingest", "backtests"]  # by priority, highest first
CELERY_TASK_QUEUES = {name: {"exchange": name, "routing_key": name} for name in CELERY_QUEUE_NAMES}
CELERY_TASK_DEFAULT_QUEUE = "ingest"
CELERY_TASK_ROUTES = {
    "execution.*": {"queue": "bots"},
    "bots.*": {"queue": "bots"},
    "ops.*": {"queue": "bots"},  # the sweeper: small, and must not wait behind a sweep
    "analytics.*": {"queue": "backtests"},
    "datafeeds.*": {"queue": "ingest"},
}
CELERY_BEAT_SCHEDULER = "apps.ops.beat.SingleBeatScheduler"
# Seconds an unacknowledged message waits before Redis delivers it again: must stay above the
# longest task (a longer one would run twice). Lost work comes back through the sweeper instead.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
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
# Seconds before the first retry of a backtest task whose database went away (then doubling,
# 3 retries): after that the run's lease expires and the sweeper sends it again.
BACKTEST_RETRY_BACKOFF_SECONDS = env.int("BACKTEST_RETRY_BACKOFF_SECONDS", default=5)
# /readyz also requires a live worker per queue (production).
OPS_READYZ_REQUIRE_WORKERS = env.bool("OPS_READYZ_REQUIRE_WORKERS", default=False)
