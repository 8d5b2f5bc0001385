"""One middleware, first in the chain: a request id bound to every log line of the request
(and sent back as X-Request-ID), an access log line, and the HTTP metrics by URL pattern."""

from __future__ import annotations

import logging
import re
import time
import uuid

import structlog
from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from .context import REQUEST_ID
from .metrics import HTTP_LATENCY, HTTP_REQUESTS

access_log = logging.getLogger("apps.ops.access")
REQUEST_ID_HEADER = "X-Request-ID"
# An id from a proxy or client is kept only when it cannot garble a log line.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_QUIET_ROUTES = {"healthz", "readyz", "metrics"}  # probes and scrapes: debug, not info


class RequestObservabilityMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        started, tokens = self._begin(request)
        try:
            return self._finish(request, self.get_response(request), started)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)

    async def _acall(self, request):
        started, tokens = self._begin(request)
        try:
            return self._finish(request, await self.get_response(request), started)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)

    @staticmethod
    def _begin(request) -> tuple[float, dict]:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        return time.perf_counter(), structlog.contextvars.bind_contextvars(
            **{REQUEST_ID: request_id}
        )

    @staticmethod
    def _finish(request, response, started: float):
        elapsed = time.perf_counter() - started
        route = route_label(request, response.status_code)
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        HTTP_LATENCY.labels(request.method, route).observe(elapsed)
        response[REQUEST_ID_HEADER] = request.request_id
        level = logging.DEBUG if route in _QUIET_ROUTES else logging.INFO
        access_log.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 2),
            },
        )
        return response


def route_label(request, status: int) -> str:
    """The URL pattern (`api/analytics/backtests/<int:pk>/`), never the raw path: one series per
    route, whatever ids the paths carry."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return match.route
    if match is not None:
        return match.view_name or "<unnamed>"
    return "<static>" if status < 400 else "<unmatched>"
