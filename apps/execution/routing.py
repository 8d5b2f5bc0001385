"""WebSocket routes of the bots (joined in config/routing.py)."""

from django.urls import path

from .consumers import BotsConsumer

websocket_urlpatterns = [
    path("ws/bots/", BotsConsumer.as_asgi()),
    path("ws/bots/<int:bot_id>/", BotsConsumer.as_asgi()),
]
