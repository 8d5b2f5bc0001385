"""Idempotent candle writes: insert new candles, update revised ones, leave equal ones untouched.

PostgreSQL takes the fast path: one binary COPY of the batch into a temporary staging table, then
one UPDATE of the rows whose values changed and one INSERT of the new ones. Other databases (the
embedded SQLite default) compare with the stored rows and write the difference via bulk_create.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least

from .hooks import candles_stored_notify
from .models import Candle, CandleSeries, Symbol
from .timeframes import TIMEFRAMES
from .versions import candles_version_bump

_VALUE_COLUMNS = ("open", "high", "low", "close", "volume")
# PostgreSQL binary COPY: int16 field count, then (int32 length, big-endian value) per field.
_COPY_ROW = np.dtype(
    [("fields", ">i2"), ("time_len", ">i4"), ("time", ">i8")]
    + [item for col in _VALUE_COLUMNS for item in ((f"{col}_len", ">i4"), (col, ">f8"))]
)
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_COPY_TRAILER = b"\xff\xff"
SQLITE_BATCH = 500  # rows per statement, under SQLite's bound-variable limit


@dataclass(frozen=True)
class UpsertReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertReport) -> UpsertReport:
        return UpsertReport(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


def _copy_payload(rows: np.ndarray, series: tuple[int, str] | None = None) -> bytes:
    """The batch in PostgreSQL's binary COPY format, built as one NumPy record array.

    With `series` = (symbol id, timeframe), each row starts with those two columns, as the
    candle table wants them; without, it fits the staging table.
    """
    head: list = []
    if series is not None:
        timeframe = series[1].encode()
        head = [
            ("symbol_len", ">i4"),
            ("symbol", ">i8"),
            ("tf_len", ">i4"),
            ("tf", f"S{len(timeframe)}"),
        ]
    records = np.empty(len(rows), dtype=np.dtype([("fields", ">i2"), *head, *_COPY_ROW.descr[1:]]))
    records["fields"] = 6 + (2 if series else 0)
    if series is not None:
        records["symbol_len"], records["symbol"] = 8, series[0]
        records["tf_len"], records["tf"] = len(timeframe), timeframe
    records["time_len"] = 8
    records["time"] = rows[:, 0].astype(np.int64)
    for i, col in enumerate(_VALUE_COLUMNS, start=1):
        records[f"{col}_len"] = 8
        records[col] = rows[:, i]
    return _COPY_HEADER + records.tobytes() + _COPY_TRAILER


_TABLE = Candle._meta.db_table
_COLUMN_LIST = ", ".join(_VALUE_COLUMNS)
_SERIES = "symbol_id = %(symbol)s AND timeframe = %(timeframe)s"
_OVERLAP = f"""
SELECT EXISTS (SELECT 1 FROM {_TABLE} WHERE {_SERIES} AND open_time BETWEEN %(first)s AND %(last)s)
"""
# Only rows whose values differ are rewritten, so an unchanged re-download writes nothing.
_UPDATE_CHANGED = f"""
UPDATE {_TABLE} AS c SET {", ".join(f"{col} = s.{col}" for col in _VALUE_COLUMNS)}
FROM candle_staging AS s
WHERE c.symbol_id = %(symbol)s AND c.timeframe = %(timeframe)s AND c.open_time = s.open_time
  AND ({", ".join(f"c.{col}" for col in _VALUE_COLUMNS)})
      IS DISTINCT FROM ({", ".join(f"s.{col}" for col in _VALUE_COLUMNS)})
"""
_INSERT_NEW = f"""
INSERT INTO {_TABLE} (symbol_id, timeframe, open_time, {_COLUMN_LIST})
SELECT %(symbol)s, %(timeframe)s, s.open_time, {", ".join(f"s.{col}" for col in _VALUE_COLUMNS)}
FROM candle_staging AS s
"""
_ONLY_MISSING = f"""
WHERE NOT EXISTS (
    SELECT 1 FROM {_TABLE} AS c
    WHERE c.symbol_id = %(symbol)s AND c.timeframe = %(timeframe)s AND c.open_time = s.open_time
)
"""


def _series_lock_key(symbol_id: int, timeframe: str) -> int:
    """One advisory-lock key per (symbol, timeframe): writers of a series take turns."""
    return symbol_id * 16 + TIMEFRAMES.index(timeframe)


def _upsert_postgresql(symbol_id: int, timeframe: str, rows: np.ndarray) -> UpsertReport:
    """New span: one binary COPY straight into the candle table. Overlapping span: COPY into a
    staging table, then UPDATE the changed rows and INSERT the missing ones.

    Both skip INSERT ... ON CONFLICT, whose speculative insertion halves the throughput. That is
    safe because writers of one series are serialised by a transaction-scoped advisory lock, so
    rows a statement sees missing cannot appear behind its back.
    """
    params = {
        "symbol": symbol_id,
        "timeframe": timeframe,
        "first": int(rows[:, 0].min()),
        "last": int(rows[:, 0].max()),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's debug wrapper lacks COPY params
        raw.execute("SELECT pg_advisory_xact_lock(%s)", [_series_lock_key(symbol_id, timeframe)])
        raw.execute(_OVERLAP, params)
        if not raw.fetchone()[0]:  # nothing stored in this span: every row is new
            columns = f"symbol_id, timeframe, open_time, {_COLUMN_LIST}"
            with raw.copy(f"COPY {_TABLE} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(_copy_payload(rows, series=(symbol_id, timeframe)))
            return UpsertReport(inserted=len(rows))
        raw.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS candle_staging ("
            "open_time bigint, open float8, high float8, low float8, close float8, volume float8"
            ") ON COMMIT DELETE ROWS"
        )
        # Inside an outer transaction (a savepoint) the previous batch may still be there.
        raw.execute("TRUNCATE candle_staging")
        with raw.copy("COPY candle_staging FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(_copy_payload(rows))
        raw.execute(_UPDATE_CHANGED, params)
        updated = raw.rowcount
        raw.execute(_INSERT_NEW + _ONLY_MISSING, params)
        inserted = raw.rowcount
    return UpsertReport(inserted, updated, len(rows) - inserted - updated)


def _upsert_generic(symbol_id: int, timeframe: str, rows: np.ndarray) -> UpsertReport:
    times = rows[:, 0].astype(np.int64)
    stored = np.array(
        Candle.objects.filter(
            symbol_id=symbol_id,
            timeframe=timeframe,
            open_time__gte=int(times.min()),
            open_time__lte=int(times.max()),
        ).values_list("open_time", *_VALUE_COLUMNS),
        dtype=np.float64,
    ).reshape(-1, 6)
    known = np.isin(times, stored[:, 0].astype(np.int64))
    stored_by_time = stored[np.argsort(stored[:, 0])]
    position = np.searchsorted(stored_by_time[:, 0], rows[known, 0])
    changed_known = (stored_by_time[position, 1:] != rows[known, 1:]).any(axis=1)
    changed = np.zeros(len(rows), dtype=bool)
    changed[np.flatnonzero(known)[changed_known]] = True
    to_write = rows[~known | changed]
    with transaction.atomic():
        Candle.objects.bulk_create(
            [
                Candle(
                    symbol_id=symbol_id,
                    timeframe=timeframe,
                    open_time=int(r[0]),
                    open=r[1],
                    high=r[2],
                    low=r[3],
                    close=r[4],
                    volume=r[5],
                )
                for r in to_write.tolist()
            ],
            batch_size=SQLITE_BATCH,
            update_conflicts=True,
            unique_fields=["symbol", "timeframe", "open_time"],
            update_fields=list(_VALUE_COLUMNS),
        )
    inserted = int((~known).sum())
    updated = int(changed.sum())
    return UpsertReport(inserted, updated, len(rows) - inserted - updated)


def candles_upsert(*, symbol: Symbol, timeframe: str, rows: np.ndarray) -> UpsertReport:
    """Store validated rows (N, 6) with unique open times; re-running changes nothing."""
    rows = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
    if len(rows) == 0:
        return UpsertReport()
    if len(np.unique(rows[:, 0])) != len(rows):
        raise ValueError("candles_upsert needs unique open times; validate the rows first.")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            report = _upsert_postgresql(symbol.pk, timeframe, rows)
        else:
            report = _upsert_generic(symbol.pk, timeframe, rows)
        if report.inserted:
            _series_extend(symbol.pk, timeframe, rows, report.inserted)
        if report.inserted:  # bots step on new closed candles (apps/execution subscribes)
            last = int(rows[:, 0].max())
            candles_stored_notify(symbol_id=symbol.pk, timeframe=timeframe, last_open_ms=last)
    if report.inserted or report.updated:
        # robust: a failure here (logged) never keeps the next on-commit work from running.
        transaction.on_commit(lambda: candles_version_bump(symbol.pk), robust=True)
    return report


def _series_extend(symbol_id: int, timeframe: str, rows: np.ndarray, inserted: int) -> None:
    """Count the new candles in the series summary and widen its span (exact: every candle
    is written here, and the series' writers take turns)."""
    first, last = int(rows[:, 0].min()), int(rows[:, 0].max())
    changed = CandleSeries.objects.filter(symbol_id=symbol_id, timeframe=timeframe).update(
        count=F("count") + inserted,
        first_open_time=Least(F("first_open_time"), Value(first)),
        last_open_time=Greatest(F("last_open_time"), Value(last)),
    )
    if not changed:
        CandleSeries.objects.create(
            symbol_id=symbol_id,
            timeframe=timeframe,
            count=inserted,
            first_open_time=first,
            last_open_time=last,
        )
