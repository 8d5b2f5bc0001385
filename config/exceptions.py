"""One error shape for the API: {"detail": "...", "field": "..."} or DRF's field errors."""

from typing import Any

from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApiError(Exception):
    """A client error raised by a view or selector; rendered as {"detail", "field"?}."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str, *, field: str | None = None, status_code: int | None = None):
        super().__init__(detail)
        self.detail = detail
        self.field = field
        if status_code is not None:
            self.status_code = status_code


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApiError):
        body = {"detail": exc.detail}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404) and str(exc):
        return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
    return exception_handler(exc, context)
