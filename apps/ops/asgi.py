"""ASGI middleware counting open WebSocket connections (the `websocket_connections` gauge)."""

from __future__ import annotations

import re

from .metrics import WEBSOCKET_CONNECTIONS

# /ws/backtests/42/replay/ -> /ws/backtests/<id>/replay/: one series per kind of socket.
_IDS = re.compile(r"/\d+(?=/|$)")


def websocket_route(path: str) -> str:
    return _IDS.sub("/<id>", path)


class WebSocketMetricsMiddleware:
    """Counts a connection from its accept to the end of its consumer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        gauge = WEBSOCKET_CONNECTIONS.labels(route=websocket_route(scope.get("path", "")))
        accepted = False

        async def counting_send(message):
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                gauge.inc()
            elif message["type"] == "websocket.close" and accepted:
                accepted = False
                gauge.dec()
            await send(message)

        try:
            return await self.app(scope, receive, counting_send)
        finally:
            if accepted:
                gauge.dec()
