"""WebSocket routes of every app (bots' status and backtest replay join here)."""

websocket_urlpatterns: list = []
