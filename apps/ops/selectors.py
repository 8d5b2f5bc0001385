"""Reads of the operations code: ingestion lag of tracked series, readiness checks."""

from __future__ import annotations

from dataclasses import dataclass

from apps.datafeeds.models import CandleSeries, Symbol
from apps.datafeeds.timeframes import bucket_next


@dataclass(frozen=True)
class IngestionLag:
    exchange: str
    symbol: str
    timeframe: str
    seconds: float  # now minus the close time of the last stored candle


def ingestion_lags(*, now_ms: int) -> list[IngestionLag]:
    """One lag per tracked (symbol, timeframe) that has candles stored (from the series summary
    kept by candles_upsert: no scan of the candle table)."""
    tracked = {
        symbol.pk: symbol
        for symbol in Symbol.objects.exclude(tracked_timeframes=[]).only(
            "exchange", "name", "tracked_timeframes"
        )
    }
    lags = []
    series = CandleSeries.objects.filter(symbol_id__in=tracked).only(
        "symbol_id", "timeframe", "last_open_time"
    )
    for row in series:
        symbol = tracked[row.symbol_id]
        if row.timeframe not in symbol.tracked_timeframes:
            continue
        close_ms = int(bucket_next(row.last_open_time, row.timeframe))
        lags.append(
            IngestionLag(symbol.exchange, symbol.name, row.timeframe, (now_ms - close_ms) / 1000)
        )
    return lags
