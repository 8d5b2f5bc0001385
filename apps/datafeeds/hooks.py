"""Who wants to know that new candles were stored: apps above datafeeds (bots) subscribe here
at start-up, so the storage never imports them. Subscribers run after the commit."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

CandlesStored = Callable[..., None]  # (*, symbol_id: int, timeframe: str, last_open_ms: int)
_subscribers: list[CandlesStored] = []


def candles_stored_subscribe(callback: CandlesStored) -> None:
    if callback not in _subscribers:
        _subscribers.append(callback)


def candles_stored_notify(*, symbol_id: int, timeframe: str, last_open_ms: int) -> None:
    """Called once a write that inserted candles has committed; a failing subscriber is
    logged, never allowed to fail the download that stored them."""
    for callback in list(_subscribers):
        try:
            callback(symbol_id=symbol_id, timeframe=timeframe, last_open_ms=last_open_ms)
        except Exception:
            logger.exception("candles-stored subscriber %r failed", callback)
