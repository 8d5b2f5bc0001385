"""/ws/backtests/: the signed-in user's backtest runs as they change (events.py publishes).

`/ws/backtests/` sends every run of the user; `/ws/backtests/<id>/` only that run's, and closes
4404 when the run is missing or someone else's (one code for both, as the REST API's 404);
4401 when not signed in (decided before any lookup).
Messages: first {"type": "ready", "push": bool}, then {"type": "run", "run": <the run as GET
/api/analytics/backtests/<id>/>} for each change. `push` is false on the in-memory channel layer
(the embedded default), which cannot carry events from a worker process: the page then keeps
refreshing by itself.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer

from apps.realtime.protocol import CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED

from .events import user_group
from .models import BacktestRun


def _owns(user_id: int, run_id: int) -> bool:
    return BacktestRun.objects.filter(pk=run_id, owner_id=user_id).exists()


class BacktestEventsConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None
    run_id: int | None = None

    async def connect(self) -> None:
        # Accept, then close: a close before the accept reaches a browser as a bare HTTP 403.
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        run_id = self.scope["url_route"]["kwargs"].get("run_id")
        if run_id is not None:
            self.run_id = int(run_id)
            if not await database_sync_to_async(_owns)(user.pk, self.run_id):
                await self.close(code=CLOSE_NOT_FOUND)
                return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        push = not isinstance(self.channel_layer, InMemoryChannelLayer)
        await self.send_json({"type": "ready", "push": push})

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """Nothing to ask: the socket only listens."""

    async def backtest_run(self, event: dict) -> None:
        run = event["run"]
        if self.run_id is None or run["id"] == self.run_id:
            await self.send_json({"type": "run", "run": run})
