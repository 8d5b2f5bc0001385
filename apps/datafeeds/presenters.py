"""Response shapes of the market-data API, built from arrays (no serializer per row: speed)."""

from __future__ import annotations

from itertools import repeat

import numpy as np
import orjson

from .arrays import CandleArrays
from .models import Symbol


def json_rows(columns: dict[str, np.ndarray]) -> orjson.Fragment:
    """`[{name: value, ...}, ...]` written straight from NumPy columns (numbers or booleans):
    the text orjson writes for the list of dicts, without a Python object per value (orjson
    writes each column at C speed; rows are spliced from its tokens)."""
    count = len(next(iter(columns.values())))
    if count == 0:
        return orjson.Fragment(b"[]")
    streams = []
    for index, (name, values) in enumerate(columns.items()):
        text = orjson.dumps(np.ascontiguousarray(values), option=orjson.OPT_SERIALIZE_NUMPY)
        key = (b'{"' if index == 0 else b',"') + name.encode() + b'":'
        streams += [repeat(key, count), text[1:-1].split(b",")]
    streams.append(repeat(b"}", count))
    return orjson.Fragment(b"[" + b",".join(map(b"".join, zip(*streams, strict=False))) + b"]")


def candle_rows(candles: CandleArrays) -> orjson.Fragment:
    """Chart-ready rows: time in epoch seconds (what Lightweight Charts takes)."""
    return json_rows(
        {
            "time": candles.open_time.astype(np.int64) // 1000,
            "open": candles.open,
            "high": candles.high,
            "low": candles.low,
            "close": candles.close,
            "volume": candles.volume,
        }
    )


def candles_payload(candles: CandleArrays, *, symbol: Symbol, timeframe: str) -> dict:
    return {
        "symbol": symbol.name,
        "exchange": symbol.exchange,
        "timeframe": timeframe,
        "simulated": symbol.is_simulated,
        "count": len(candles),
        "candles": candle_rows(candles),
    }
