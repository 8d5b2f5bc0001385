"""Local development: the base settings as they are (embedded unless `.env` says otherwise)."""

from .base import *  # noqa: F403
