"""WebSocket routes of the analytics app (joined in config/routing.py)."""

from django.urls import path

from .consumers import BacktestReplayConsumer

websocket_urlpatterns = [
    path("ws/backtests/<int:run_id>/replay/", BacktestReplayConsumer.as_asgi()),
]
