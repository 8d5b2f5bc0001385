"""Production only tightens the base: a strong secret, PostgreSQL, Redis, HTTPS only (secure
cookies, HSTS, redirect), origins and hosts from the environment only. Every refusal names the
variable to set; `manage.py check --deploy` with these settings reports nothing."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DB_ENGINE, SECRET_KEY, SECRET_KEY_FALLBACKS, env

MIN_SECRET_KEY_LENGTH = 50  # characters, as Django's own deploy check (security.W009)
# Values shipped in examples or used as placeholders: never a real key.
_WEAK_KEY_MARKERS = ("change-me", "changeme", "change_me", "insecure", "secret-key", "example")


def secret_key_problem(key: str) -> str | None:
    """Why `key` is unfit for production, or None."""
    if not key:
        return "is not set"
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        return f"is too short or too simple (at least {MIN_SECRET_KEY_LENGTH} random characters)"
    if key.startswith("django-insecure") or any(m in key.lower() for m in _WEAK_KEY_MARKERS):
        return "is a placeholder or a known example value"
    return None


def _require(name: str, problem: str | None) -> None:
    if problem:
        raise ImproperlyConfigured(
            f"{name} {problem}. Generate one with: python -c "
            '"import secrets; print(secrets.token_urlsafe(50))"'
        )


_require("DJANGO_SECRET_KEY", secret_key_problem(SECRET_KEY))
for _old in SECRET_KEY_FALLBACKS:
    _require("DJANGO_SECRET_KEY_FALLBACKS", secret_key_problem(_old))

if env.bool("DJANGO_DEBUG", default=False):
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production (unset it).")
DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs DJANGO_ALLOWED_HOSTS (e.g. trading.example.org).")
if DB_ENGINE != "postgresql":
    raise ImproperlyConfigured("Production needs DJANGO_DB_ENGINE=postgresql.")
if env.str("CHANNEL_LAYER_BACKEND", default="") != "redis":
    raise ImproperlyConfigured("Production needs CHANNEL_LAYER_BACKEND=redis.")
if not env.str("CELERY_BROKER_URL", default="").startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("Production needs CELERY_BROKER_URL=redis://...")

# Exchange credentials need real keys: no generated development key (apps/exchanges/crypto.py).
FIELD_ENCRYPTION_REQUIRED = True
if not [key for key in env.list("FIELD_ENCRYPTION_KEYS", default=[]) if key.strip()]:
    raise ImproperlyConfigured("Production needs FIELD_ENCRYPTION_KEYS (Fernet keys, newest first)")

# --- Origins: only what the environment lists (the app itself is same-origin and needs none).
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS: behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
# Every subdomain must then be HTTPS too; set both False if that is not true of your domain.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Hashed static names: `manage.py collectstatic` must run before the server starts.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Operations (apps/ops): JSON logs; ready only with a live worker on every queue ----------
from apps.ops.logs import logging_config  # noqa: E402

from .base import LOG_FORMATS, LOG_LEVEL, LOG_REDACTION_FILTER, _choice  # noqa: E402

LOG_FORMAT = _choice("LOG_FORMAT", "json", LOG_FORMATS)
LOGGING = logging_config(
    log_format=LOG_FORMAT, level=LOG_LEVEL, redaction_filter=LOG_REDACTION_FILTER
)
# collectstatic's target (the base's var/static unless set).
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(STATIC_ROOT))  # noqa: F405
OPS_READYZ_REQUIRE_WORKERS = env.bool("OPS_READYZ_REQUIRE_WORKERS", default=True)
# /metrics from no network unless listed: behind a proxy every client looks like 127.0.0.1.
OPS_METRICS_ALLOWED_NETWORKS = env.list("OPS_METRICS_ALLOWED_NETWORKS", default=[])
