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
