"""JSON error bodies for every error under /api/, including the ones Django answers itself
(unknown URL, CSRF failure, malformed or oversized request, server error), which are HTML."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure

API_PREFIX = "/api/"
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(status: int, detail: str, **extra: object) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


class JsonApiErrorsMiddleware:
    """Under /api/: turn any non-JSON error response into {"detail": ...} (bodies over a limit
    are refused before this by config/request_limits.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_api(request):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code < 400 or _is_json(response):
            return response
        return _as_json(response)


def _is_json(response: HttpResponse) -> bool:
    # DRF responses are rendered as the client asked (JSON, or the browsable API's HTML).
    if getattr(response, "accepted_renderer", None) is not None or response.streaming:
        return True
    return response.get("Content-Type", "").startswith("application/json")


def _as_json(response: HttpResponse) -> JsonResponse:
    try:
        phrase = HTTPStatus(response.status_code).phrase
    except ValueError:
        phrase = "Error"
    converted = json_error(response.status_code, f"{phrase}.")
    for header in _KEPT_HEADERS:
        if header in response:
            converted[header] = response[header]
    return converted


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the reason in JSON for the API, Django's page elsewhere."""
    if _is_api(request):
        return json_error(
            403,
            f"CSRF check failed: {reason} Get a token from /api/auth/csrf/ and send it in the "
            "X-CSRFToken header.",
        )
    return django_csrf_failure(request, reason=reason)
