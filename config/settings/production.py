"""Production only tightens the base: a real secret, PostgreSQL, Redis, secure cookies, HSTS."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DB_ENGINE, env

SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: fails at start-up when unset
DEBUG = False
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

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
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
