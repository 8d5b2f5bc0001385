"""Market-data reads. Candles leave the database as NumPy arrays, converted once here."""

from __future__ import annotations

import time

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import F
from psycopg import pq

from .arrays import CandleArrays
from .models import Candle, CandleSeries, Symbol
from .timeframes import missing_intervals


class SymbolNotFound(LookupError):
    """No stored symbol of that name (on that exchange); `name` is the name asked for."""

    def __init__(self, message: str, *, name: str):
        super().__init__(message)
        self.name = name


class AmbiguousSymbol(LookupError):
    """The name exists on several exchanges and none was given."""


def symbol_get(*, name: str, exchange: str | None = None) -> Symbol:
    """The symbol `name` on `exchange`; without an exchange, the default one, else the only one."""
    candidates = Symbol.objects.filter(name=name)
    if exchange:
        found = candidates.filter(exchange=exchange).first()
        if found is None:
            raise SymbolNotFound(f"Unknown symbol '{name}' on exchange '{exchange}'.", name=name)
        return found
    found = list(candidates)
    if not found:
        raise SymbolNotFound(f"Unknown symbol '{name}'.", name=name)
    preferred = [s for s in found if s.exchange == settings.DATAFEEDS_DEFAULT_EXCHANGE]
    if preferred:
        return preferred[0]
    if len(found) > 1:
        names = ", ".join(sorted(s.exchange for s in found))
        raise AmbiguousSymbol(f"'{name}' exists on several exchanges ({names}); pass exchange.")
    return found[0]


def candles_window(
    *,
    symbol: Symbol,
    timeframe: str,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int | None = None,
) -> CandleArrays:
    """Candles with start <= open time <= end, ascending.

    With a limit, the first `limit` from `start` when only a start is given, else the last `limit`
    up to `end` (or up to the newest candle).
    """
    conditions = ["symbol_id = %s", "timeframe = %s"]
    params: list = [symbol.pk, timeframe]
    if start_ms is not None:
        conditions.append("open_time >= %s")
        params.append(start_ms)
    if end_ms is not None:
        conditions.append("open_time <= %s")
        params.append(end_ms)
    newest_first = limit is not None and not (start_ms is not None and end_ms is None)
    sql = (
        "SELECT open_time, open, high, low, close, volume FROM "
        f"{Candle._meta.db_table} WHERE {' AND '.join(conditions)} "
        f"ORDER BY open_time {'DESC' if newest_first else 'ASC'}"
    )
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    rows = _fetch_rows(sql, params)
    if newest_first:
        rows = rows[::-1]
    if np.any(np.diff(rows[:, 0]) <= 0):  # aggregate order is the subquery's in practice; be sure
        rows = rows[np.argsort(rows[:, 0], kind="stable")]
    return CandleArrays.from_rows(rows)


def _fetch_rows(sql: str, params: list) -> np.ndarray:
    """Query result (open_time, open, high, low, close, volume) as float64 (N, 6)."""
    if connection.vendor == "postgresql":
        return _fetch_rows_postgresql(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, 6)


_ARRAY_HEADER_BYTES = 20  # one-dimensional binary array: ndim, flags, element type, size, lbound
_ARRAY_ITEM = {
    True: np.dtype([("len", ">i4"), ("v", ">i8")]),
    False: np.dtype([("len", ">i4"), ("v", ">f8")]),
}


def _fetch_rows_postgresql(sql: str, params: list) -> np.ndarray:
    """The rows as six binary arrays (array_agg) read straight into NumPy.

    psycopg builds Python objects per row and per value (or per COPY message); for the thousands
    of candles a chart or a strategy reads, that costs several times the query itself. One row
    of six binary arrays costs one allocation per column. Candle columns are NOT NULL, so the
    binary array items have a fixed width.
    """
    numbered = sql
    for position in range(1, len(params) + 1):
        numbered = numbered.replace("%s", f"${position}", 1)
    columns = ("open_time", "open", "high", "low", "close", "volume")
    query = f"SELECT {', '.join(f'array_agg({c})' for c in columns)} FROM ({numbered}) AS w"
    connection.ensure_connection()
    started = time.monotonic()
    result = connection.connection.pgconn.exec_params(
        query.encode(), [str(p).encode() for p in params], result_format=1
    )
    if connection.queries_logged:  # counted like any query (DEBUG, CaptureQueriesContext)
        connection.queries_log.append(
            {"sql": f"{query} {params}", "time": f"{time.monotonic() - started:.3f}"}
        )
    if result.status != pq.ExecStatus.TUPLES_OK:
        raise DatabaseError(result.error_message.decode(errors="replace"))
    if result.get_value(0, 0) is None:  # no rows: array_agg gives NULL
        return np.empty((0, 6))
    rows = np.empty((0, 6))
    for index in range(6):
        raw = result.get_value(0, index)
        values = np.frombuffer(raw, _ARRAY_ITEM[index == 0], offset=_ARRAY_HEADER_BYTES)["v"]
        if index == 0:
            rows = np.empty((len(values), 6))
        rows[:, index] = values
    return rows


def candle_open_times(
    *, symbol: Symbol, timeframe: str, start_ms: int | None = None, end_ms: int | None = None
) -> np.ndarray:
    """Stored open times (epoch ms, ascending) of one series, optionally within [start, end)."""
    candles = Candle.objects.filter(symbol=symbol, timeframe=timeframe)
    if start_ms is not None:
        candles = candles.filter(open_time__gte=start_ms)
    if end_ms is not None:
        candles = candles.filter(open_time__lt=end_ms)
    return np.fromiter(
        candles.order_by("open_time").values_list("open_time", flat=True), dtype=np.int64
    )


def candle_gaps(
    *, symbol: Symbol, timeframe: str, start_ms: int | None = None, end_ms: int | None = None
) -> list[tuple[int, int, int]]:
    """Missing candles between the first and last stored ones (optionally within a window)."""
    return missing_intervals(
        candle_open_times(symbol=symbol, timeframe=timeframe, start_ms=start_ms, end_ms=end_ms),
        timeframe,
    )


def symbols_with_coverage() -> list[dict]:
    """Every symbol with, per stored timeframe, the candle count and first/last open time."""
    coverage: dict[int, list[dict]] = {}
    for row in CandleSeries.objects.values(
        "symbol_id", "timeframe", "count", first=F("first_open_time"), last=F("last_open_time")
    ).order_by("symbol_id", "timeframe"):
        coverage.setdefault(row["symbol_id"], []).append(
            {
                "timeframe": row["timeframe"],
                "count": row["count"],
                "first": row["first"],
                "last": row["last"],
            }
        )
    return [
        {"symbol": symbol, "timeframes": coverage.get(symbol.pk, [])}
        for symbol in Symbol.objects.all()
    ]
