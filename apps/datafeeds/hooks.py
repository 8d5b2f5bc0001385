"""Who wants to know that new candles were stored: apps above datafeeds (bots) subscribe here
at start-up, so the storage never imports them.

Subscribers run inside the transaction that stores the candles, so what they record (the bots'
step, written to the task outbox) commits or rolls back with the candles: a stored candle can
never miss its notification. They only write rows; anything that calls out runs after commit."""

from __future__ import annotations

from collections.abc import Callable

CandlesStored = Callable[..., None]  # (*, symbol_id: int, timeframe: str, last_open_ms: int)
_subscribers: list[CandlesStored] = []


def candles_stored_subscribe(callback: CandlesStored) -> None:
    if callback not in _subscribers:
        _subscribers.append(callback)


def candles_stored_notify(*, symbol_id: int, timeframe: str, last_open_ms: int) -> None:
    """Called inside a write that inserted candles. A subscriber's error fails the write (and
    the download retries it): candles stored without their notification would be steps lost."""
    for callback in list(_subscribers):
        callback(symbol_id=symbol_id, timeframe=timeframe, last_open_ms=last_open_ms)
