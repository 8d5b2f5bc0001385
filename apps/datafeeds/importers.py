"""Readers for candle files: ours (`timestamp,open,high,low,close,volume`) and Binance's dumps.

Both come out as the float64 (N, 6) rows the validator takes; nothing is fixed up silently, so a
non-numeric cell becomes NaN and the validator rejects its row with a reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUR_HEADER = ["timestamp", "open", "high", "low", "close", "volume"]
# data.binance.vision kline dumps: 12 columns, usually without a header line.
BINANCE_COLUMNS = [
    "open_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "close_time",
    "quote_volume",
    "count",
    "taker_buy_volume",
    "taker_buy_quote_volume",
    "ignore",
]
# Binance's spot dumps moved from milliseconds to microseconds in 2025: above this, it is µs.
MICROSECONDS_THRESHOLD = 10**14


class CandleFileError(ValueError):
    """The file cannot be read as candles; the message says why."""


def _first_line(path: Path) -> str:
    frame = pd.read_csv(path, header=None, nrows=1, dtype=str, compression="infer")
    return ",".join(str(v) for v in frame.iloc[0].tolist())


def candle_file_read(path: str | Path) -> tuple[np.ndarray, str]:
    """The rows of a candle CSV (plain, .gz or Binance's .zip) and the detected format name."""
    path = Path(path)
    if not path.is_file():
        raise CandleFileError(f"No such file: {path}")
    try:
        first = _first_line(path)
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise CandleFileError(f"Cannot read {path}: {error}") from error
    fields = first.split(",")
    has_header = not fields[0].strip().lstrip("-").isdigit()
    if has_header and fields[: len(OUR_HEADER)] == OUR_HEADER and len(fields) == 6:
        fmt, names, skip = "ohlcv-csv", OUR_HEADER, 1
    elif len(fields) == 12:
        fmt, names, skip = "binance-klines", BINANCE_COLUMNS, 1 if has_header else 0
    else:
        raise CandleFileError(
            f"{path}: unrecognised columns {first[:120]!r}; expected a header "
            f"'{','.join(OUR_HEADER)}' or Binance's 12-column kline dump."
        )
    try:
        frame = pd.read_csv(
            path,
            header=None,
            names=names,
            skiprows=skip,
            usecols=range(6),
            dtype=str,
            compression="infer",
        )
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise CandleFileError(f"Cannot read {path}: {error}") from error
    rows = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    if fmt == "binance-klines":
        micro = rows[:, 0] > MICROSECONDS_THRESHOLD
        rows[micro, 0] = np.floor(rows[micro, 0] / 1000)
    return rows, fmt
