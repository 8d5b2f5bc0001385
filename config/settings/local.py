"""Local development: the base settings (embedded unless `.env` says otherwise), with DEBUG on
unless DJANGO_DEBUG=False and, without DJANGO_SECRET_KEY, this install's own key from var/."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, env, local_secret_key

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = SECRET_KEY or local_secret_key()
