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
    "apps.execution",
]

MIDDLEWARE = [
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
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
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
                    "timeout": 10,
                }
            },
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
# Minutes between two refreshes of the tracked symbols by celery beat, on candle boundaries
# (multiples since the epoch, UTC) plus a delay in seconds that lets the exchange close them.
DATAFEEDS_REFRESH_MINUTES = env.float("DATAFEEDS_REFRESH_MINUTES", default=5)
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

# --- CORS ------------------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:5173"])
CORS_ALLOW_CREDENTIALS = env.bool("CORS_ALLOW_CREDENTIALS", default=True)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=CORS_ALLOWED_ORIGINS)

# --- Secrets at rest (exchange credentials, later) -------------------------------------------
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

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
    # Two models have a "status" with different choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "BotStatusEnum": "apps.execution.models.BotStatus",
        "BacktestStatusEnum": "apps.analytics.models.BacktestStatus",
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
