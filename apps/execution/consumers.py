"""/ws/bots/ (all your bots) and /ws/bots/<id>/ (one of them): status changes, orders, fills,
position, equity and errors, each sent once the transaction that made it has committed.

Session authentication. The socket is accepted, then closed with 4401 when anonymous and 4404
for a bot that is not yours (the same answer as a missing one). The consumer only joins the
owner's group and forwards; services publish (apps/execution/realtime.py).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .models import Bot
from .realtime import owner_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404


def _snapshot(owner_id: int, bot_id: int | None) -> list[dict[str, Any]] | None:
    bots = Bot.objects.filter(owner_id=owner_id)
    if bot_id is not None:
        bots = bots.filter(pk=bot_id)
        if not bots.exists():
            return None
    return [
        {
            "bot": bot_id,
            "status": status,
            "status_message": message,
            "equity": str(equity),
            "last_candle_ms": last,
        }
        for bot_id, status, message, equity, last in bots.values_list(
            "pk", "status", "status_message", "equity", "last_candle_ms"
        )
    ]


class BotsConsumer(AsyncJsonWebsocketConsumer):
    bot_id: int | None = None
    group: str | None = None

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        kwargs = self.scope["url_route"]["kwargs"]
        self.bot_id = int(kwargs["bot_id"]) if "bot_id" in kwargs else None
        bots = await database_sync_to_async(_snapshot)(user.pk, self.bot_id)
        if bots is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = owner_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"type": "snapshot", "bots": bots})

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_json({"type": "error", "detail": "this socket only sends"})

    async def bot_messages(self, event: dict[str, Any]) -> None:
        for message in event["messages"]:
            if self.bot_id is None or message.get("bot") == self.bot_id:
                await self.send_json({"type": message["kind"], **message})
