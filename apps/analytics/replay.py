"""Replay of a stored backtest: its events chunk by chunk, and the playback state (no Django).

The consumer (consumers.py) reads the run from the database a chunk of candles at a time
(selectors.replay_chunk) and turns each chunk into messages here: one group per candle, the
candle first, then the entries and exits that happened on it. A socket holds one chunk, never
the run, so its memory is O(chunk) whatever the run's length (docs/backtesting.md, "Replay").

Times in messages are epoch seconds (candle open times are whole seconds); prices are floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.realtime.protocol import MessageInvalid, int_in, number_in

MIN_SPEED = 1
MAX_SPEED = 1000
DEFAULT_SPEED = 10.0  # candles per second
# Flow control: the client grants credit (candles it is ready to draw); the server never has
# more than MAX_CREDIT candles granted but not yet sent, so at most that many are in flight.
MAX_CREDIT = 2000
MAX_BATCH = 500  # candles per batch message at most (a batch never splits a candle's group)
HISTORY = 300  # candles sent before a seek's new position, so the chart redraws around it

Message = dict[str, Any]


def _num(value: float) -> float | None:
    """JSON has no NaN: a missing value is null."""
    return None if math.isnan(value) else float(value)


def _bar_of(times_ms: np.ndarray, open_times: np.ndarray) -> np.ndarray:
    """Index of the candle each time falls in: the last one opening at or before it, clamped to
    the chunk (an 'end' exit is stamped at the last bar's close, just past its open)."""
    bars = np.searchsorted(open_times, times_ms, side="right") - 1
    return np.clip(bars, 0, max(len(open_times) - 1, 0))


def equity_at(
    open_times: np.ndarray, equity_times_ms: np.ndarray, equity_values: np.ndarray
) -> np.ndarray:
    """The equity at each candle's close (matched on open time), NaN where the curve has none."""
    equity = np.full(len(open_times), np.nan)
    if len(equity_times_ms) and len(open_times):
        at = np.clip(np.searchsorted(equity_times_ms, open_times), 0, len(equity_times_ms) - 1)
        found = equity_times_ms[at] == open_times
        equity[found] = equity_values[at[found]]
    return equity


@dataclass
class ReplayChunk:
    """Consecutive candles of a run from `first` (an index in the run), with their equity and
    their trade events; message dicts are only built for what is being sent."""

    first: int
    candles: CandleArrays
    equity: np.ndarray
    events: dict[int, list[Message]]  # candle offset in the chunk -> its entries and exits

    @property
    def stop(self) -> int:
        """The run index just past the chunk."""
        return self.first + len(self.candles)

    def groups(self, start: int, stop: int) -> list[list[Message]]:
        """The message groups of run indices [start, stop) (within the chunk)."""
        c = self.candles
        out = []
        for i in range(start - self.first, stop - self.first):
            candle = {
                "type": "candle",
                "index": self.first + i,
                "time": int(c.open_time[i] // 1000),
                "open": float(c.open[i]),
                "high": float(c.high[i]),
                "low": float(c.low[i]),
                "close": float(c.close[i]),
                "volume": float(c.volume[i]),
                "equity": _num(self.equity[i]),
            }
            out.append([candle, *self.events.get(i, ())])
        return out


def replay_chunk_build(
    *,
    first: int,
    candles: CandleArrays,
    lower_ms: float,
    upper_ms: float,
    equity_times_ms: np.ndarray,
    equity_values: np.ndarray,
    trades: list[dict[str, Any]],
) -> ReplayChunk:
    """A chunk from its candles, the equity curve around them and the trades (in trade order)
    with an entry or exit time in the chunk's range [lower_ms, upper_ms): from its first open
    (-inf for the run's first chunk) to the next chunk's first open (+inf for the last). Each
    entry/exit joins the candle it falls in: the last one opening at or before its time."""
    events: dict[int, list[Message]] = {}
    if len(candles) and trades:
        entry_ms = np.array([t["entry_time"] for t in trades], dtype=np.int64)
        exit_ms = np.array([t["exit_time"] for t in trades], dtype=np.int64)
        entry_bars = _bar_of(entry_ms, candles.open_time)
        exit_bars = _bar_of(exit_ms, candles.open_time)
        entry_here = (entry_ms >= lower_ms) & (entry_ms < upper_ms)
        exit_here = (exit_ms >= lower_ms) & (exit_ms < upper_ms)
        # Trades never overlap and come in order, so appending each trade's entry then its exit
        # keeps every group in time order: a trade opened and closed on one bar reads entry,
        # exit; a reversal reads the old trade's exit, then the new one's entry.
        for k, trade in enumerate(trades):
            if entry_here[k]:
                events.setdefault(int(entry_bars[k]), []).append(_entry(trade))
            if exit_here[k]:
                events.setdefault(int(exit_bars[k]), []).append(_exit(trade))
    return ReplayChunk(
        first=first,
        candles=candles,
        equity=equity_at(candles.open_time, equity_times_ms, equity_values),
        events=events,
    )


def _entry(trade: dict[str, Any]) -> Message:
    return {
        "type": "entry",
        "trade": trade["number"],
        "time": int(trade["entry_time"] // 1000),
        "side": trade["side"],
        "price": trade["entry_price"],
        "size": trade["size"],
        "fee": trade["entry_fee"],
    }


def _exit(trade: dict[str, Any]) -> Message:
    return {
        "type": "exit",
        "trade": trade["number"],
        "time": int(trade["exit_time"] // 1000),
        "side": trade["side"],
        "price": trade["exit_price"],
        "size": trade["size"],
        "fee": trade["exit_fee"],
        "pnl": trade["pnl"],
        "return_fraction": trade["return_fraction"],
        "reason": trade["exit_reason"],
    }


def parse_speed(value: Any) -> float | None:
    """Candles per second in [1, 1000], or None for "max" (as fast as the client draws)."""
    if value == "max":
        return None
    try:
        return float(number_in(value, "candles_per_second", MIN_SPEED, MAX_SPEED))
    except MessageInvalid:
        raise MessageInvalid(
            f'candles_per_second must be a number in [{MIN_SPEED}, {MAX_SPEED}] or "max"'
        ) from None


def parse_credit(value: Any) -> int:
    return int_in(value, "candles", 1, MAX_CREDIT)


@dataclass
class PlaybackState:
    """Where the replay is and what it may send: position, pause, speed, credit and pace."""

    total: int
    speed: float | None = DEFAULT_SPEED  # candles per second; None is "max"
    position: int = 0  # the next candle to send
    paused: bool = False
    ended: bool = False  # the end was announced; a seek rewinds it (even to the end again)
    credit: int = 0  # candles the client is ready for (nothing flows before its first grant)
    _pace_start: float = field(default=0.0, repr=False)  # clock time the pace counts from
    _paced: int = field(default=0, repr=False)  # candles sent since then

    @property
    def done(self) -> bool:
        return self.position >= self.total

    def grant(self, candles: int) -> int:
        """Add credit, capped at MAX_CREDIT (a client cannot open an unbounded window)."""
        self.credit = min(self.credit + candles, MAX_CREDIT)
        return self.credit

    def repace(self, now: float) -> None:
        """Count the pace from now (after a resume, a speed change, a seek, or a stall)."""
        self._pace_start, self._paced = now, 0

    def due(self, now: float) -> tuple[int, float]:
        """(candles that may go out now, seconds to wait when none may): the pace allows
        elapsed x speed candles since it was last reset; credit and MAX_BATCH cap the count."""
        room = min(self.credit, MAX_BATCH, self.total - self.position)
        if self.speed is None:
            return room, 0.0
        allowed = math.floor((now - self._pace_start) * self.speed) + 1 - self._paced
        if allowed <= 0:
            return 0, (self._paced - (now - self._pace_start) * self.speed) / self.speed
        return min(room, allowed), 0.0

    def sent(self, count: int) -> None:
        self.position += count
        self.credit -= count
        self._paced += count
