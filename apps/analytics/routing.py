"""WebSocket routes of the analytics app (joined in config/routing.py)."""

from django.urls import path

from . import event_consumers
from .consumers import BacktestReplayConsumer

websocket_urlpatterns = [
    path("ws/backtests/<int:run_id>/replay/", BacktestReplayConsumer.as_asgi()),
    path("ws/backtests/", event_consumers.BacktestEventsConsumer.as_asgi()),
    path("ws/backtests/<int:run_id>/", event_consumers.BacktestEventsConsumer.as_asgi()),
]
