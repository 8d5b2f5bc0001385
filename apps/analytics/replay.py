"""Replay of a stored backtest: its events in time order, and a playback cursor (no Django here).

The events are built once per connection from arrays already in memory (the span's candles, the
stored equity curve, the trades): one group per candle, the candle first, then the entries and
exits that happened on it. The consumer (consumers.py) only walks the groups with the cursor.

Times in messages are epoch seconds (candle open times are whole seconds); prices are floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays

MIN_SPEED = 1
MAX_SPEED = 1000
DEFAULT_SPEED = 10.0  # candles per second

Message = dict[str, Any]


def _num(value: float) -> float | None:
    """JSON has no NaN: a missing value is null."""
    return None if math.isnan(value) else float(value)


def _bar_of(times_ms: np.ndarray, open_times: np.ndarray) -> np.ndarray:
    """Index of the candle each time falls in: the last one opening at or before it, clamped to
    the span (an 'end' exit is stamped at the last bar's close, just past its open)."""
    bars = np.searchsorted(open_times, times_ms, side="right") - 1
    return np.clip(bars, 0, max(len(open_times) - 1, 0))


@dataclass(frozen=True)
class ReplayEvents:
    times_ms: np.ndarray  # the candles' open times, ascending (what seek searches)
    groups: list[list[Message]]  # per candle: the candle message, then its entries and exits

    @property
    def total(self) -> int:
        return len(self.groups)


def replay_events(
    *,
    candles: CandleArrays,
    equity_times_ms: np.ndarray,
    equity_values: np.ndarray,
    trades: list[dict[str, Any]],
) -> ReplayEvents:
    """One group of messages per candle, in time order: the candle (with the equity at its
    close, null where the curve has no value), then the entries and exits on it."""
    n = len(candles)
    # Equity by open time: the curve holds one value per bar of the span, normally these ones.
    equity = np.full(n, np.nan)
    if len(equity_times_ms) and n:
        at = np.clip(
            np.searchsorted(equity_times_ms, candles.open_time), 0, len(equity_times_ms) - 1
        )
        found = equity_times_ms[at] == candles.open_time
        equity[found] = equity_values[at[found]]

    groups: list[list[Message]] = [
        [
            {
                "type": "candle",
                "index": i,
                "time": int(candles.open_time[i] // 1000),
                "open": float(candles.open[i]),
                "high": float(candles.high[i]),
                "low": float(candles.low[i]),
                "close": float(candles.close[i]),
                "volume": float(candles.volume[i]),
                "equity": _num(equity[i]),
            }
        ]
        for i in range(n)
    ]
    events = ReplayEvents(times_ms=candles.open_time, groups=groups)
    if not n or not trades:
        return events

    entry_ms = np.array([t["entry_time"] for t in trades], dtype=np.int64)
    exit_ms = np.array([t["exit_time"] for t in trades], dtype=np.int64)
    entry_bars = _bar_of(entry_ms, candles.open_time)
    exit_bars = _bar_of(exit_ms, candles.open_time)
    # Trades never overlap and come in order, so appending each trade's entry then its exit keeps
    # every candle's group in time order: a trade opened and closed on one bar reads entry, exit;
    # a reversal on one bar reads the old trade's exit, then the new one's entry.
    for trade, entry_bar, exit_bar in zip(trades, entry_bars, exit_bars, strict=True):
        groups[entry_bar].append(
            {
                "type": "entry",
                "trade": trade["number"],
                "time": int(trade["entry_time"] // 1000),
                "side": trade["side"],
                "price": trade["entry_price"],
                "size": trade["size"],
                "fee": trade["entry_fee"],
            }
        )
        groups[exit_bar].append(
            {
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
        )
    return events


class ReplayInvalid(ValueError):
    """A client message the replay cannot act on (its text goes back to the client)."""


def parse_speed(value: Any) -> float | None:
    """Candles per second in [1, 1000], or None for "max" (as fast as the socket takes them)."""
    if value == "max":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ReplayInvalid('candles_per_second must be a number in [1, 1000] or "max"')
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise ReplayInvalid(f"candles_per_second must be in [{MIN_SPEED}, {MAX_SPEED}]")
    return float(value)


@dataclass
class PlaybackCursor:
    """Where the replay is and how it moves; the consumer asks it what to send next."""

    times_ms: np.ndarray  # the candles' open times, ascending
    speed: float | None = DEFAULT_SPEED  # candles per second; None is "max"
    position: int = 0  # the next candle to send
    paused: bool = False
    ended: bool = False  # the end was announced; a seek rewinds it (even to the end again)
    _total: int = field(init=False)

    def __post_init__(self) -> None:
        self._total = len(self.times_ms)

    @property
    def total(self) -> int:
        return self._total

    @property
    def done(self) -> bool:
        return self.position >= self._total

    @property
    def interval(self) -> float:
        """Seconds between two candles (0 at "max")."""
        return 0.0 if self.speed is None else 1.0 / self.speed

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def set_speed(self, value: Any) -> float | None:
        self.speed = parse_speed(value)
        return self.speed

    def seek(self, time_s: Any) -> int:
        """Move to the first candle opening at or after `time_s` (epoch seconds); past the end
        means done. Returns the new position."""
        if isinstance(time_s, bool) or not isinstance(time_s, int | float) or math.isnan(time_s):
            raise ReplayInvalid("time must be epoch seconds (a number)")
        self.position = int(np.searchsorted(self.times_ms, time_s * 1000, side="left"))
        self.ended = False
        return self.position

    def advance(self) -> int | None:
        """The index of the next candle to send, moving past it; None when done."""
        if self.done:
            return None
        self.position += 1
        return self.position - 1
