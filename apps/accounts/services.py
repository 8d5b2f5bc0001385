"""Accounts: sign-up, sign-in and sign-out for the browser (a session), API tokens for scripts
and bots (one per client, expiring, revocable one by one), and "log out everywhere"."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import ApiToken, UserSession
from .socket_groups import session_group, sockets_sign_out, user_sessions_group


class InvalidCredentials(Exception):
    pass


class SignupInvalid(ValueError):
    """`errors` maps each bad field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def user_authenticate(*, request: HttpRequest, username: str, password: str) -> AbstractBaseUser:
    """The active user with these credentials. Failures count towards the lock-out
    (django-axes); a locked-out client gets None here, and the axes middleware answers 429."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise InvalidCredentials("Invalid username or password.")
    return user


def user_login(*, request: HttpRequest, username: str, password: str) -> AbstractBaseUser:
    """Authenticate and open a session (a new session key: no fixation)."""
    user = user_authenticate(request=request, username=username, password=password)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return user


def user_signup(
    *, request: HttpRequest, username: str, email: str, password: str
) -> AbstractBaseUser:
    """Create an account (Django's password validators apply) and sign it in."""
    User = get_user_model()
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["This username is taken."]
    candidate = User(username=username, email=email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise SignupInvalid(errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError as error:  # the same name signed up a moment earlier
        raise SignupInvalid({"username": ["This username is taken."]}) from error
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return user


def user_logout(*, request: HttpRequest, token: ApiToken | None = None) -> None:
    """End the way this request came in: its API token, or its session."""
    if token is not None:
        token.delete()
    else:
        session_key = request.session.session_key
        logout(request)
        if session_key:
            sockets_sign_out(session_group(session_key))


def user_logout_everywhere(*, request: HttpRequest, user: AbstractBaseUser) -> None:
    """End every session and revoke every API token of the user, this request's included."""
    ApiToken.objects.filter(user=user).delete()
    UserSession.objects.filter(user=user).delete()
    logout(request)
    sockets_sign_out(user_sessions_group(user.pk))


class TokenLimitReached(Exception):
    pass


def api_token_create(
    *, user: AbstractBaseUser, name: str, ttl: timedelta, limit: int | None
) -> tuple[ApiToken, str]:
    """A new token for one client: (its row, the token itself, never stored nor shown again)."""
    with transaction.atomic():
        # Lock the user: two concurrent creations must not both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
        if limit is not None and ApiToken.objects.filter(user=user).count() >= limit:
            raise TokenLimitReached(
                f"You have {limit} API tokens, the most allowed: revoke one you no longer use."
            )
        return ApiToken.objects.create(user=user, expiry=ttl, name=name)


def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> bool:
    """Revoke one of the user's tokens; False when there is no such token of theirs."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0
