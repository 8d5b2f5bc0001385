"""JSON error bodies for every error under /api/, including the ones Django answers itself
(unknown URL, CSRF failure, malformed or oversized request, server error), which are HTML."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure

API_PREFIX = "/api/"
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(status: int, detail: str, **extra: object) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def _body_too_large(request: HttpRequest) -> bool | None:
    """True over DATA_UPLOAD_MAX_MEMORY_SIZE, None when Content-Length is not a number."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return limit is not None and length > limit


class JsonApiErrorsMiddleware:
    """Under /api/: refuse an oversized body up front with 413 (Django would answer an HTML 400
    when the view reads it), and turn any non-JSON error response into {"detail": ...}."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_api(request):
            return self.get_response(request)
        too_large = _body_too_large(request)
        if too_large is None:
            return json_error(400, "Content-Length is not a number.")
        if too_large:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return json_error(413, f"Request body too large: at most {limit} bytes.")
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
