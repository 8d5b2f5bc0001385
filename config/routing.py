"""WebSocket routes of every app (bots' status and backtest replay join here)."""

from apps.analytics.routing import websocket_urlpatterns as analytics_websocket_urlpatterns
from apps.execution.routing import websocket_urlpatterns as execution_websocket_urlpatterns

websocket_urlpatterns: list = [
    *analytics_websocket_urlpatterns,
    *execution_websocket_urlpatterns,
]
