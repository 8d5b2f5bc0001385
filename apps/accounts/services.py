"""Sign-in and sign-out: a session for the browser and an API token for scripts."""

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from rest_framework.authtoken.models import Token


class InvalidCredentials(Exception):
    pass


def user_login(
    *, request: HttpRequest, username: str, password: str
) -> tuple[AbstractBaseUser, str]:
    """Authenticate, open a session, and return the user with their API token."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise InvalidCredentials("Invalid username or password.")
    login(request, user)
    token, _ = Token.objects.get_or_create(user=user)
    return user, token.key


def user_logout(*, request: HttpRequest) -> None:
    """Close the session and revoke the API token, so both ways in are shut."""
    if request.user.is_authenticated:
        Token.objects.filter(user=request.user).delete()
    logout(request)
