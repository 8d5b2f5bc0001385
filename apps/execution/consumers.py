"""/ws/bots/ (all your bots) and /ws/bots/<id>/ (one of them): status changes, orders, fills,
position, equity and errors, each sent once the transaction that made it has committed.

Built on RealtimeConsumer (docs/realtime.md): session authentication, a heartbeat every
REALTIME_HEARTBEAT_SECONDS. The socket is accepted, then closed with 4401 when anonymous and
4404 for a bot that is not yours (the same answer as a missing one). The consumer joins the
owner's group before it reads the snapshot, so no message committed after the snapshot's read
is missed; each message's `seq` against the snapshot's `event_seq` says which ones the snapshot
already reflects. Services publish (apps/execution/realtime.py).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from apps.realtime.consumers import RealtimeConsumer, Refused
from apps.realtime.protocol import CLOSE_NOT_FOUND

from .models import Bot
from .realtime import owner_group


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
            "event_seq": seq,
        }
        for bot_id, status, message, equity, last, seq in bots.values_list(
            "pk", "status", "status_message", "equity", "last_candle_ms", "event_seq"
        )
    ]


class BotsConsumer(RealtimeConsumer):
    bot_id: int | None = None

    async def open(self, user: Any) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        self.bot_id = int(kwargs["bot_id"]) if "bot_id" in kwargs else None
        await self.join(owner_group(user.pk))
        bots = await database_sync_to_async(_snapshot)(user.pk, self.bot_id)
        if bots is None:
            raise Refused(CLOSE_NOT_FOUND, "no such bot")
        await self.ready(bots=bots)

    async def on_message(self, message: dict[str, Any]) -> None:
        await self.send_message({"type": "error", "detail": "this socket only sends"})

    async def bot_messages(self, event: dict[str, Any]) -> None:
        if not self.opened:
            return
        for message in event["messages"]:
            if self.bot_id is None or message.get("bot") == self.bot_id:
                await self.send_message({"type": message["kind"], **message})
