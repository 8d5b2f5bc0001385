"""Idempotent candle writes: insert new candles, update revised ones, leave equal ones untouched.

PostgreSQL takes the fast path: one binary COPY of the batch into a temporary staging table, then
one INSERT ... ON CONFLICT DO UPDATE that only rewrites rows whose values changed and counts
inserts and updates. Other databases (the embedded SQLite default) compare with the stored rows
and write the difference through Django's bulk_create.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from .models import Candle, Symbol

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


def copy_payload_parse(payload: bytes) -> np.ndarray:
    """Rows (N, 6) from a binary COPY of (open_time, open, high, low, close, volume)."""
    body = payload[len(_COPY_HEADER) : len(payload) - len(_COPY_TRAILER)]
    records = np.frombuffer(body, dtype=_COPY_ROW)
    rows = np.empty((len(records), 6), dtype=np.float64)
    rows[:, 0] = records["time"]
    for i, col in enumerate(_VALUE_COLUMNS, start=1):
        rows[:, i] = records[col]
    return rows


def _copy_payload(rows: np.ndarray) -> bytes:
    """The batch in PostgreSQL's binary COPY format, built as one NumPy record array."""
    records = np.empty(len(rows), dtype=_COPY_ROW)
    records["fields"] = 6
    records["time_len"] = 8
    records["time"] = rows[:, 0].astype(np.int64)
    for i, col in enumerate(_VALUE_COLUMNS, start=1):
        records[f"{col}_len"] = 8
        records[col] = rows[:, i]
    return _COPY_HEADER + records.tobytes() + _COPY_TRAILER


_COLUMN_LIST = ", ".join(_VALUE_COLUMNS)
_PG_UPSERT = f"""
WITH written AS (
    INSERT INTO {Candle._meta.db_table} (symbol_id, timeframe, open_time, {_COLUMN_LIST})
    SELECT %s, %s, open_time, {", ".join(_VALUE_COLUMNS)} FROM candle_staging
    ON CONFLICT (symbol_id, timeframe, open_time) DO UPDATE SET
        {", ".join(f"{c} = EXCLUDED.{c}" for c in _VALUE_COLUMNS)}
    WHERE ({", ".join(f"{Candle._meta.db_table}.{c}" for c in _VALUE_COLUMNS)})
        IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in _VALUE_COLUMNS)})
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
"""


def _upsert_postgresql(symbol_id: int, timeframe: str, rows: np.ndarray) -> UpsertReport:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS candle_staging ("
            "open_time bigint, open float8, high float8, low float8, close float8, volume float8"
            ") ON COMMIT DELETE ROWS"
        )
        # Inside an outer transaction (a savepoint) the previous batch may still be there.
        cursor.execute("TRUNCATE candle_staging")
        with cursor.copy("COPY candle_staging FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(_copy_payload(rows))
        cursor.execute(_PG_UPSERT, [symbol_id, timeframe])
        inserted, updated = cursor.fetchone()
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
    if connection.vendor == "postgresql":
        return _upsert_postgresql(symbol.pk, timeframe, rows)
    return _upsert_generic(symbol.pk, timeframe, rows)
