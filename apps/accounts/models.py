"""Users are Django's own. API tokens (django-rest-knox, stored as digests) and database
sessions that know their user, so that a user can end every way in at once."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class ApiToken(AbstractAuthToken):
    """One API client's token: only its SHA-512 digest is stored; the token itself is shown
    once, at creation. `token_key` (its first characters) lets the owner recognise it."""

    id = models.BigAutoField(primary_key=True)  # a stable id to revoke it by
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(max_length=100, help_text="what the token is for, e.g. 'laptop bot'")

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}...) of {self.user_id}"


class UserSession(AbstractBaseSession):
    """A database session with its user (null until login), for "log out everywhere"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
