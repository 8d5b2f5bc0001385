"""Binance spot REST shapes: the klines window, kline rows, exchangeInfo entries and errors."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .candles import bucket_next

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
RATE_LIMITS: list[dict[str, Any]] = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
    {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
]
ORDER_TYPES = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"]
RATE_LIMIT_MSG = (
    "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. "
    "Please use the websocket for live updates to avoid polling the API."
)


class ApiError(Exception):
    """An error answer in Binance's shape: HTTP status and {"code": ..., "msg": ...}."""

    def __init__(self, status: int, code: int, msg: str) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "msg": self.msg}


def int_param(params: dict[str, str], name: str) -> int | None:
    """An optional integer query parameter; Binance rejects anything but digits."""
    raw = params.get(name)
    if raw is None:
        return None
    digits = raw[1:] if raw.startswith("-") else raw
    if not digits.isdigit() or len(digits) > 20:
        raise ApiError(
            400,
            -1100,
            f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'.",
        )
    return int(raw)


def required_param(params: dict[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise ApiError(
            400,
            -1102,
            f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.",
        )
    return value


def limit_param(params: dict[str, str]) -> int:
    limit = int_param(params, "limit")
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, -1130, "Data sent for parameter 'limit' is not valid.")
    return limit


def window(times: np.ndarray, start: int | None, end: int | None, limit: int) -> slice:
    """Binance's klines window over ascending open times.

    Open times in [start, end]: with a start, the first `limit` of them; without one (only an end,
    or neither), the last `limit`.
    """
    lo = 0 if start is None else int(np.searchsorted(times, start, side="left"))
    hi = len(times) if end is None else int(np.searchsorted(times, end, side="right"))
    if start is None:
        lo = max(lo, hi - limit)
    else:
        hi = min(hi, lo + limit)
    return slice(lo, max(lo, hi))


def _number(value: float) -> str:
    """Shortest decimal that round-trips to the float64, without exponent (as Binance writes)."""
    text = repr(value)
    if "e" in text or "inf" in text or "nan" in text:
        return np.format_float_positional(value, unique=True, trim="-")
    return text


@dataclass(frozen=True)
class Corruption:
    mode: str
    index: int


def _corrupt(rows: np.ndarray, corruption: Corruption) -> int:
    """Corrupt one row of `rows` in place (numerically); returns the row index used.

    An index out of range falls back to the last row, so the fault always shows.
    """
    index = corruption.index if -len(rows) <= corruption.index < len(rows) else -1
    row = rows[index]
    if corruption.mode == "high_below_low":
        row[2], row[3] = row[3], row[2]
        if row[2] >= row[3]:  # a flat candle: swapping alone would not break it
            row[2] = row[3] * 0.99 if row[3] > 0 else -1.0
    elif corruption.mode == "negative_volume":
        row[5] = -abs(row[5]) if row[5] != 0 else -1.0
    return index % len(rows)


def kline_rows(
    candles: np.ndarray, interval: str, corruption: Corruption | None = None
) -> list[list[Any]]:
    """Binance's 12-field kline arrays for (N, 6) candles, optionally with one corrupted row."""
    candles = candles.copy()
    bad_index = _corrupt(candles, corruption) if corruption and len(candles) else None
    open_times = candles[:, 0].astype(np.int64)
    close_times = bucket_next(open_times, interval) - 1
    # Derived fields Binance has and our files do not: plausible, deterministic values.
    quote_volumes = candles[:, 5] * candles[:, 1:5].mean(axis=1)
    trades = np.ceil(np.sqrt(np.abs(quote_volumes))).astype(np.int64)
    rows = []
    for open_time, ohlcv, close_time, quote, count in zip(
        open_times.tolist(),
        candles[:, 1:].tolist(),
        close_times.tolist(),
        quote_volumes.tolist(),
        trades.tolist(),
        strict=True,
    ):
        fields = [_number(v) for v in ohlcv]
        half_volume, half_quote = _number(ohlcv[4] / 2), _number(quote / 2)
        rows.append(
            [open_time, *fields, close_time, _number(quote), count, half_volume, half_quote, "0"]
        )
    if bad_index is not None and corruption and corruption.mode == "not_a_number":
        rows[bad_index][4] = "abc"
    return rows


def _decimal_string(decimals: int) -> str:
    """Binance writes steps as 8-decimal strings: 2 -> "0.01000000", 0 -> "1.00000000"."""
    return f"{10.0**-decimals:.8f}"


def symbol_info(
    market_id: str, base: str, quote: str, price_decimals: int, qty_decimals: int
) -> dict[str, Any]:
    """One `symbols` entry of /api/v3/exchangeInfo, complete enough for ccxt's parse_market."""
    tick, step = _decimal_string(price_decimals), _decimal_string(qty_decimals)
    return {
        "symbol": market_id,
        "status": "TRADING",
        "baseAsset": base,
        "baseAssetPrecision": 8,
        "quoteAsset": quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ORDER_TYPES,
        "icebergAllowed": True,
        "ocoAllowed": True,
        "otoAllowed": True,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": True,
        "cancelReplaceAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": tick,
                "maxPrice": "1000000.00000000",
                "tickSize": tick,
            },
            {"filterType": "LOT_SIZE", "minQty": step, "maxQty": "9000.00000000", "stepSize": step},
            {
                "filterType": "MIN_NOTIONAL",
                "minNotional": "5.00000000",
                "applyToMarket": True,
                "avgPriceMins": 5,
            },
            {"filterType": "ICEBERG_PARTS", "limit": 10},
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
        ],
        "permissions": ["SPOT"],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }


def exchange_info(now_ms: int, symbols: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "serverTime": now_ms,
        "rateLimits": RATE_LIMITS,
        "exchangeFilters": [],
        "symbols": symbols,
    }


def futures_exchange_info(now_ms: int) -> dict[str, Any]:
    """fapi/dapi exchangeInfo with no contracts: ccxt asks for them by default."""
    return {**exchange_info(now_ms, []), "assets": []}


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()


def live_candle(
    open_time: int,
    last_close: float,
    recent_volume: float,
    elapsed: float,
    decimals: tuple[int, int],
) -> np.ndarray:
    """A still-forming candle continuing from `last_close`, deterministic per open time.

    `elapsed` is the fraction of the interval gone by, which scales the volume so far;
    `decimals` are those of the market's prices and quantities.
    """
    rng = np.random.default_rng(open_time)
    close = last_close * math.exp(rng.normal(0.0, 0.002))
    high = max(last_close, close) * (1 + abs(rng.normal(0.0, 0.001)))
    low = min(last_close, close) * (1 - abs(rng.normal(0.0, 0.001)))
    prices = np.round([last_close, high, low, close], decimals[0])
    volume = round(recent_volume * min(max(elapsed, 0.0), 1.0), decimals[1])
    return np.array([float(open_time), *prices, volume], dtype=np.float64)
