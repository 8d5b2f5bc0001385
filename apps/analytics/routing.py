"""WebSocket routes of the analytics app (joined in config/routing.py)."""

from django.urls import path, re_path

from . import event_consumers
from .consumers import BacktestReplayConsumer

websocket_urlpatterns = [
    path("ws/backtests/<int:run_id>/replay/", BacktestReplayConsumer.as_asgi()),
    re_path(
        r"^ws/backtests/(?:(?P<run_id>\d+)/)?$", event_consumers.BacktestEventsConsumer.as_asgi()
    ),
]
