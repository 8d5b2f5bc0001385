"""WebSocket replay of a stored backtest run: /ws/backtests/<id>/replay/ (docs/backtesting.md).

The consumer only loads the run (once, off the event loop), then drives replay.PlaybackCursor
with one asyncio task; the events and the cursor's rules live in replay.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.datafeeds.selectors import candles_window

from .models import BacktestRun, BacktestStatus
from .replay import Message, PlaybackCursor, ReplayEvents, ReplayInvalid, replay_events
from .selectors import backtest_equity, backtest_trades

# Close codes (4000-4999 are the application's). The socket is accepted first and then closed:
# a close before the accept reaches a browser as a bare HTTP 403, without the code.
CLOSE_FORBIDDEN = 4403  # anonymous, or another user's run
CLOSE_NOT_FOUND = 4404
CLOSE_NOT_DONE = 4409  # queued, running or failed: nothing to replay

MAX_BATCH = 50  # candles sent at "max" speed before yielding to the client's messages


def _load(run_id: int, user_id: int) -> tuple[int, ReplayEvents | None]:
    """(close code, None) when refused, else (0, the run's events)."""
    run = BacktestRun.objects.select_related("symbol").defer("equity", "equity_times")
    run = run.filter(pk=run_id).first()
    if run is None:
        return CLOSE_NOT_FOUND, None
    if run.owner_id != user_id:
        return CLOSE_FORBIDDEN, None
    if run.status != BacktestStatus.DONE:
        return CLOSE_NOT_DONE, None
    candles = candles_window(
        symbol=run.symbol, timeframe=run.timeframe, start_ms=run.start_ms, end_ms=run.end_ms - 1
    )
    curve = backtest_equity(run=run)
    events = replay_events(
        candles=candles,
        equity_times_ms=curve.times_ms,
        equity_values=curve.values,
        trades=backtest_trades(run=run),
    )
    return 0, events


class BacktestReplayConsumer(AsyncJsonWebsocketConsumer):
    run_id: int
    events: ReplayEvents
    cursor: PlaybackCursor
    _task: asyncio.Task | None = None

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        code, events = await database_sync_to_async(_load)(self.run_id, user.pk)
        if events is None:
            await self.close(code=code)
            return
        self.events = events  # not `groups`: the base class's channel-layer groups
        self.cursor = PlaybackCursor(times_ms=events.times_ms)
        # Guards each group (a candle and its trades) so that a control reply never lands
        # between a candle and its entries/exits.
        self._send_lock = asyncio.Lock()
        self._wake = asyncio.Event()  # set by resume, speed and seek: the player re-checks
        speed = self.cursor.speed
        await self.send_json(
            {
                "type": "start",
                "run": self.run_id,
                "total": self.cursor.total,
                "speed": "max" if speed is None else speed,
            }
        )
        self._task = asyncio.create_task(self._play())

    async def disconnect(self, code: int) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    # --- client messages ---------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # Parsed here rather than by the base class, whose json.loads error would end the socket.
        if not hasattr(self, "cursor"):  # a refused connection still draining messages
            return
        try:
            content = json.loads(text_data or "")
        except (TypeError, ValueError):
            await self._reply({"type": "error", "detail": "messages must be JSON objects"})
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        try:
            await self._act(content)
        except ReplayInvalid as error:
            await self._reply({"type": "error", "detail": str(error)})

    async def _act(self, content: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        cursor = self.cursor
        if action == "pause":
            cursor.pause()
            await self._reply({"type": "paused", "index": cursor.position})
        elif action == "resume":
            cursor.resume()
            await self._reply({"type": "resumed", "index": cursor.position})
        elif action == "speed":
            speed = cursor.set_speed(content.get("candles_per_second"))
            await self._reply({"type": "speed", "speed": "max" if speed is None else speed})
        elif action == "seek":
            index = cursor.seek(content.get("time"))
            time = self.events.groups[index][0]["time"] if index < cursor.total else None
            await self._reply({"type": "seeked", "index": index, "time": time})
        else:
            raise ReplayInvalid("action must be one of pause, resume, speed, seek")
        self._wake.set()

    async def _reply(self, message: Message) -> None:
        async with self._send_lock:
            await self.send_json(message)

    # --- playback ----------------------------------------------------------------------------

    async def _play(self) -> None:
        """Send the groups at the cursor's pace; after the end, wait for a seek back."""
        cursor = self.cursor
        sent_in_batch = 0
        while True:
            if cursor.paused or cursor.ended:
                self._wake.clear()
                await self._wake.wait()
                continue
            index = cursor.advance()
            async with self._send_lock:
                if index is None:
                    await self.send_json({"type": "end"})
                    cursor.ended = True
                    continue
                for message in self.events.groups[index]:
                    await self.send_json(message)
            if cursor.speed is not None:
                # Interruptible: a faster speed or a seek takes effect without waiting out the
                # old interval.
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), cursor.interval)
            else:
                sent_in_batch += 1
                if sent_in_batch >= MAX_BATCH:
                    sent_in_batch = 0
                    await asyncio.sleep(0)
