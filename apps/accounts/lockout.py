"""django-axes hooks: the client address it counts failures by, and the lock-out answer."""

from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


def client_ip(request: HttpRequest) -> str:
    """The socket's address, or, behind TRUSTED_PROXY_COUNT proxies, the address the outermost
    trusted proxy saw (X-Forwarded-For is appended to by each proxy; anything further left was
    written by the client and proves nothing). Same rule as DRF's NUM_PROXIES for throttles."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote


def cooloff_seconds() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """429 in JSON with Retry-After, for the API login and the admin login alike."""
    seconds = cooloff_seconds()
    detail = (
        "Too many failed sign-ins for this account from this address: try again in "
        f"{math.ceil(seconds / 60)} minutes."
    )
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": detail, "retry_after": seconds}, status=429)
    else:  # the admin's login form
        response = HttpResponse(detail, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come with a request (every HTTP login: the API's,
    the admin's). A call without one (a shell, the test client's login) has no client address
    to count and is left to the next backend instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
