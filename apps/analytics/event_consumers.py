"""/ws/backtests/: the signed-in user's backtest runs as they change (events.py publishes).

`/ws/backtests/` sends every run of the user; `/ws/backtests/<id>/` only that run's, and closes
4404 when the run is missing or someone else's (one code for both, as the REST API's 404);
4401 when not signed in (decided before any lookup).
Messages: first the handshake every socket sends ({"type": "ready", "push": bool, "heartbeat":
seconds}; `push` is false on the in-memory channel layer of the embedded default, which cannot
carry events from a worker process: the page then keeps refreshing by itself), then {"type":
"run", "run": <the run as GET /api/analytics/backtests/<id>/>} for each change. Built on
RealtimeConsumer: heartbeats, the end of the socket with its session, group membership renewed
while open (docs/realtime.md).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from apps.realtime.consumers import RealtimeConsumer, Refused
from apps.realtime.protocol import CLOSE_NOT_FOUND

from .events import user_group
from .models import BacktestRun


def _owns(user_id: int, run_id: int) -> bool:
    return BacktestRun.objects.filter(pk=run_id, owner_id=user_id).exists()


class BacktestEventsConsumer(RealtimeConsumer):
    run_id: int | None = None

    async def open(self, user: Any) -> None:
        run_id = self.scope["url_route"]["kwargs"].get("run_id")
        if run_id is not None:
            self.run_id = int(run_id)
            if not await database_sync_to_async(_owns)(user.pk, self.run_id):
                raise Refused(CLOSE_NOT_FOUND, "no such run")
        await self.join(user_group(user.pk))
        await self.ready()

    async def on_message(self, message: dict[str, Any]) -> None:
        await self.send_message({"type": "error", "detail": "this socket only sends"})

    async def backtest_run(self, event: dict[str, Any]) -> None:
        if not self.opened:
            return
        for run in event["messages"]:
            if self.run_id is None or run["id"] == self.run_id:
                await self.send_message({"type": "run", "run": run})

    async def backtest_study(self, event: dict[str, Any]) -> None:
        """A parameter study's progress (apps/optimisation/events.py), on the user's socket."""
        if not self.opened or self.run_id is not None:
            return
        for study in event["messages"]:
            await self.send_message({"type": "study", "study": study})
