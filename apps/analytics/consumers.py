"""WebSocket replay of a stored backtest run: /ws/backtests/<id>/replay/ (docs/backtesting.md).

The base consumer (apps.realtime) authenticates, caps the user's replay sockets, beats the
heartbeat and parses client frames. This one reads the run a chunk at a time
(replay_selectors) and sends batches of candle groups as the client grants credit, at the
chosen pace (replay.PlaybackState).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.db import database_sync_to_async

from apps.realtime.consumers import RealtimeConsumer, Refused
from apps.realtime.protocol import (
    CLOSE_NOT_FOUND,
    CLOSE_NOT_READY,
    MessageInvalid,
    int_in,
    number_in,
)

from .replay import HISTORY, MAX_CREDIT, PlaybackState, ReplayChunk, parse_credit, parse_speed
from .replay_selectors import (
    ReplayRefused,
    ReplaySpan,
    replay_chunk,
    replay_index_at,
    replay_open_time,
    replay_span_get,
)

LATEST_TIME_S = 253_402_300_799  # 9999-12-31T23:59:59Z: any later seek is past every run
ACTIONS = "credit, pause, resume, speed, seek"


class BacktestReplayConsumer(RealtimeConsumer):
    slot_kind = "replay"
    cap_setting = "REPLAY_MAX_SOCKETS_PER_USER"

    span: ReplaySpan
    state: PlaybackState
    _chunk: ReplayChunk | None = None
    _following_ms: int | None = None  # open time of the candle just after the chunk
    _player: asyncio.Task | None = None

    async def open(self, user: Any) -> None:
        run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        try:
            self.span = await database_sync_to_async(replay_span_get)(
                run_id=run_id, user_id=user.pk
            )
        except ReplayRefused as refused:
            if refused.missing:
                raise Refused(CLOSE_NOT_FOUND, "no such run") from None
            raise Refused(CLOSE_NOT_READY, "the run is not finished") from None
        self.state = PlaybackState(total=self.span.total)
        # Held while a batch is read and sent, and by pause and seek, so that their replies
        # state the position between two batches, never in the middle of one.
        self._play_lock = asyncio.Lock()
        self._wake = asyncio.Event()  # set by every client message: the player re-checks
        await self.ready(
            run=run_id,
            total=self.state.total,
            speed=_speed(self.state.speed),
            max_credit=MAX_CREDIT,
            history=HISTORY,
        )
        self._player = asyncio.create_task(self._play())

    async def on_close(self) -> None:
        if self._player is not None:
            self._player.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._player

    # --- client messages ---------------------------------------------------------------------

    async def on_message(self, message: dict[str, Any]) -> None:
        action = message.get("action")
        state = self.state
        now = asyncio.get_running_loop().time()
        if action == "credit":
            if state.credit == 0:
                state.repace(now)  # a stalled stream does not catch up in one burst
            state.grant(parse_credit(message.get("candles")))
        elif action == "pause":
            async with self._play_lock:
                state.paused = True
                await self.send_message({"type": "paused", "index": state.position})
        elif action == "resume":
            state.paused = False
            state.repace(now)
            await self.send_message({"type": "resumed", "index": state.position})
        elif action == "speed":
            state.speed = parse_speed(message.get("candles_per_second"))
            state.repace(now)
            await self.send_message({"type": "speed", "speed": _speed(state.speed)})
        elif action == "seek":
            await self._seek(message)
        else:
            raise MessageInvalid(f"action must be one of {ACTIONS}")
        self._wake.set()

    async def _seek(self, message: dict[str, Any]) -> None:
        """Move to a candle (by `index`, or the first opening at or after `time`) and send the
        HISTORY candles before it, so the client redraws the chart, time and equity there."""
        state = self.state
        if "index" in message:
            index = int_in(message["index"], "index", 0, state.total)
        elif "time" in message:
            time_s = number_in(message["time"], "time", 0, LATEST_TIME_S)
            index = await database_sync_to_async(replay_index_at)(
                span=self.span, time_ms=time_s * 1000
            )
        else:
            raise MessageInvalid("seek needs an index (a candle) or a time (epoch seconds)")
        async with self._play_lock:
            first = max(index - HISTORY, 0)
            history = []
            if index > 0:
                await self._load(first)
                history = [m for group in self._chunk.groups(first, index) for m in group]
            time = None
            if index < state.total:
                if self._chunk is None or not self._chunk.first <= index < self._chunk.stop:
                    await self._load(index)
                time = int(self._chunk.candles.open_time[index - self._chunk.first] // 1000)
            state.position = index
            state.ended = False
            state.repace(asyncio.get_running_loop().time())
            await self.send_message(
                {"type": "seeked", "index": index, "time": time, "history": history}
            )

    # --- playback ----------------------------------------------------------------------------

    async def _load(self, first: int) -> None:
        """Make the chunk starting at run index `first` the current one."""
        if self._chunk is not None and first == self._chunk.stop and self._following_ms:
            from_ms = self._following_ms  # the next chunk: a keyset read, no offset
        else:
            from_ms = await database_sync_to_async(replay_open_time)(span=self.span, index=first)
        self._chunk, self._following_ms = await database_sync_to_async(replay_chunk)(
            span=self.span, first=first, from_ms=from_ms
        )

    async def _sleep(self, seconds: float | None) -> None:
        """Until a client message arrives, or `seconds` pass (None: no limit)."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _play(self) -> None:
        """Send batches while the replay plays, has credit and its pace allows; announce the end
        once; then wait for a seek back."""
        state = self.state
        loop = asyncio.get_running_loop()
        while True:
            if state.paused or state.ended or (state.credit == 0 and not state.done):
                await self._sleep(None)
                continue
            async with self._play_lock:
                if state.paused:
                    continue
                if state.done:
                    await self.send_message({"type": "end", "index": state.position})
                    state.ended = True
                    continue
                count, wait = state.due(loop.time())
                if count:
                    chunk = self._chunk
                    if chunk is None or not chunk.first <= state.position < chunk.stop:
                        await self._load(state.position)
                        chunk = self._chunk
                    stop = min(state.position + count, chunk.stop)
                    groups = chunk.groups(state.position, stop)
                    await self.send_message(
                        {
                            "type": "batch",
                            "first": state.position,
                            "count": len(groups),
                            "events": [m for group in groups for m in group],
                        }
                    )
                    state.sent(len(groups))
            if count:
                await asyncio.sleep(0)  # client messages get in between two batches
            else:
                await self._sleep(wait)


def _speed(speed: float | None) -> float | str:
    return "max" if speed is None else speed
