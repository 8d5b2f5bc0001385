"""Database reads of the replay socket: a run's span, and its candles, equity and trades one
chunk at a time (keyset reads on the candles' primary key), so a socket never holds a whole run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from django.db.models import Q

from apps.datafeeds.models import Candle, Symbol
from apps.datafeeds.selectors import candles_window

from .equity import equity_window
from .models import BacktestRun, BacktestStatus, BacktestTrade
from .replay import ReplayChunk, replay_chunk_build

CHUNK_CANDLES = 2000  # candles read per query: ~110 kB of arrays, a few ms of PostgreSQL

_TRADE_FIELDS = [f.name for f in BacktestTrade._meta.concrete_fields if f.name not in ("id", "run")]


class ReplayRefused(Exception):
    """The run cannot be replayed to this user: `missing` (none, or not theirs) or not done."""

    def __init__(self, *, missing: bool):
        super().__init__("missing" if missing else "not done")
        self.missing = missing


@dataclass(frozen=True)
class ReplaySpan:
    run_id: int
    symbol: Symbol
    timeframe: str
    start_ms: int  # inclusive
    end_ms: int  # exclusive
    total: int  # candles in the span

    def candles(self):
        return Candle.objects.filter(
            symbol=self.symbol,
            timeframe=self.timeframe,
            open_time__gte=self.start_ms,
            open_time__lt=self.end_ms,
        )


def replay_span_get(*, run_id: int, user_id: int) -> ReplaySpan:
    """The span of the user's finished run. Another user's run is refused exactly like a missing
    one, so the answer says nothing about which ids exist."""
    run = BacktestRun.objects.select_related("symbol").defer("equity", "equity_times")
    run = run.filter(pk=run_id, owner_id=user_id).first()
    if run is None:
        raise ReplayRefused(missing=True)
    if run.status != BacktestStatus.DONE:
        raise ReplayRefused(missing=False)
    span = ReplaySpan(run.pk, run.symbol, run.timeframe, run.start_ms, run.end_ms, 0)
    return replace(span, total=span.candles().count())


def replay_index_at(*, span: ReplaySpan, time_ms: float) -> int:
    """Index of the first candle opening at or after `time_ms` (total when past the end)."""
    if time_ms <= span.start_ms:
        return 0
    if time_ms >= span.end_ms:
        return span.total
    return span.candles().filter(open_time__lt=math.ceil(time_ms)).count()


def replay_open_time(*, span: ReplaySpan, index: int) -> int | None:
    """Open time of the candle at `index`, None past the end."""
    if index >= span.total:
        return None
    return span.candles().order_by("open_time").values_list("open_time", flat=True)[index]


def replay_chunk(*, span: ReplaySpan, first: int, from_ms: int) -> tuple[ReplayChunk, int | None]:
    """The chunk of candles starting at index `first` (opening at `from_ms`), with its equity
    and trade events; and the open time of the next chunk's first candle (None at the end)."""
    # A start and a limit without an end: the first CHUNK_CANDLES + 1 from `from_ms` (the
    # extra one says where the next chunk starts), then cut at the span's end.
    candles = candles_window(
        symbol=span.symbol, timeframe=span.timeframe, start_ms=from_ms, limit=CHUNK_CANDLES + 1
    )
    candles = candles.slice(candles.open_time < span.end_ms)
    following = int(candles.open_time[CHUNK_CANDLES]) if len(candles) > CHUNK_CANDLES else None
    candles = candles.slice(slice(0, CHUNK_CANDLES))
    lower = -math.inf if first == 0 else from_ms  # before the span: clamped onto its first bar
    upper = math.inf if following is None else following  # "end" exits: past the last open
    blobs = BacktestRun.objects.filter(pk=span.run_id).values_list("equity_times", "equity")
    times_blob, values_blob = blobs.first() or (None, None)
    if times_blob is None or values_blob is None or not len(candles):
        equity_times, equity_values = np.empty(0, dtype=np.int64), np.empty(0)
    else:
        last = int(candles.open_time[-1])
        equity_times, equity_values = equity_window(times_blob, values_blob, from_ms, last)
    trades = BacktestTrade.objects.filter(run_id=span.run_id)
    bound = {}
    if lower != -math.inf:
        bound["gte"] = int(lower)
    if upper != math.inf:
        bound["lt"] = int(upper)
    trades = trades.filter(
        Q(**{f"entry_time__{k}": v for k, v in bound.items()})
        | Q(**{f"exit_time__{k}": v for k, v in bound.items()})
    )
    chunk = replay_chunk_build(
        first=first,
        candles=candles,
        lower_ms=lower,
        upper_ms=upper,
        equity_times_ms=equity_times,
        equity_values=equity_values,
        trades=list(trades.order_by("number").values(*_TRADE_FIELDS)),
    )
    return chunk, following
