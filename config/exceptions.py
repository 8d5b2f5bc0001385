"""One error shape for the API: {"detail": "...", "field": "..."} or DRF's field errors.

Domain errors (an unknown symbol, missing candles, bad strategy parameters, ...) are raised by
selectors and services, which know nothing of HTTP; this handler maps each to its response once,
so views never catch them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import ValidationError
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


def _symbol_not_found(error: Any) -> ApiError:
    from apps.datafeeds.hints import register_command

    return ApiError(
        f"{error} Download it first, e.g. {register_command(error.name)}",
        field="symbol",
        status_code=status.HTTP_404_NOT_FOUND,
    )


@cache
def _domain_errors() -> tuple[tuple[type[Exception], Callable[[Any], Exception]], ...]:
    """(domain error, what it becomes): an ApiError, or a ValidationError for field errors.
    Imported on first use: the apps import this module for ApiError."""
    from apps.analytics.services import BacktestInvalid, QuotaExceeded
    from apps.datafeeds.selectors import AmbiguousSymbol, SymbolNotFound
    from apps.execution.services.bots import BotConflict, BotInvalid, BotMissingCandles
    from apps.strategies.inputs import MissingCandles
    from apps.strategies.registry import InvalidParameters, UnknownStrategy
    from apps.strategies.services import StrategyInUse

    return (
        (SymbolNotFound, _symbol_not_found),
        (AmbiguousSymbol, lambda e: ApiError(str(e), field="exchange")),
        (UnknownStrategy, lambda e: ApiError(str(e), status_code=status.HTTP_404_NOT_FOUND)),
        (
            MissingCandles,
            lambda e: ApiError(str(e), field="timeframe", status_code=status.HTTP_404_NOT_FOUND),
        ),
        (InvalidParameters, lambda e: ValidationError(e.errors)),
        (BacktestInvalid, lambda e: ValidationError(e.errors)),
        (BotInvalid, lambda e: ValidationError(e.errors)),
        (
            BotMissingCandles,
            lambda e: ApiError(str(e), field="symbol", status_code=status.HTTP_404_NOT_FOUND),
        ),
        (BotConflict, lambda e: ApiError(str(e), status_code=status.HTTP_409_CONFLICT)),
        (StrategyInUse, lambda e: ApiError(str(e), status_code=status.HTTP_409_CONFLICT)),
        (QuotaExceeded, lambda e: ApiError(str(e), status_code=status.HTTP_429_TOO_MANY_REQUESTS)),
    )


def _source_errors(exc: Exception) -> Response | None:
    """A strategy text that does not compile: each error in words under "source" (as any field
    error) and with its place under "errors", for an editor to underline."""
    from apps.strategies.language.errors import LanguageError

    if not isinstance(exc, LanguageError):
        return None
    return Response(
        {"source": [str(e) for e in exc.errors], "errors": [e.as_dict() for e in exc.errors]},
        status=status.HTTP_400_BAD_REQUEST,
    )


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if (response := _source_errors(exc)) is not None:
        return response
    for domain_error, translate in _domain_errors():
        if isinstance(exc, domain_error):
            exc = translate(exc)
            break
    if isinstance(exc, ApiError):
        body = {"detail": exc.detail}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404) and str(exc):
        return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
    return exception_handler(exc, context)
