"""Binance's request weights and signed-request checks (API key, timestamp/recvWindow, HMAC).

Weights and error codes are Binance's documented ones (spot REST API), written out here rather than
read from ccxt: a test double must not share the logic it checks.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .binance import ApiError
from .trading import Account

# Request weight per (method, path) for IP limits; (weight with symbol, weight without).
WEIGHTS: dict[tuple[str, str], tuple[int, int]] = {
    ("GET", "/api/v3/ping"): (1, 1),
    ("GET", "/api/v3/time"): (1, 1),
    ("GET", "/api/v3/exchangeInfo"): (20, 20),
    ("GET", "/api/v3/klines"): (2, 2),
    ("POST", "/api/v3/order"): (1, 1),
    ("GET", "/api/v3/order"): (4, 4),
    ("DELETE", "/api/v3/order"): (1, 1),
    ("GET", "/api/v3/openOrders"): (6, 80),
    ("GET", "/api/v3/account"): (20, 20),
    ("GET", "/api/v3/myTrades"): (20, 20),
    ("POST", "/api/v3/orderList/oco"): (1, 1),
    ("GET", "/api/v3/orderList"): (4, 4),
    ("DELETE", "/api/v3/orderList"): (1, 1),
    ("GET", "/api/v3/openOrderList"): (6, 6),
    ("GET", "/sapi/v1/capital/config/getall"): (10, 10),
}
DEFAULT_RECV_WINDOW_MS = 5_000
MAX_RECV_WINDOW_MS = 60_000
AHEAD_TOLERANCE_MS = 1_000  # Binance refuses timestamps more than 1 s ahead of its clock
INVALID_KEY_MSG = "Invalid API-key, IP, or permissions for action."


def request_weight(method: str, path: str, params: dict[str, str]) -> int:
    with_symbol, without = WEIGHTS.get((method, path), (1, 1))
    return with_symbol if params.get("symbol") else without


@dataclass(frozen=True)
class BudgetAnswer:
    allowed: bool
    used: int  # weight used in the current window, this request included when allowed
    retry_after_s: int  # seconds until the window resets (when refused)


class WeightBudget:
    """Binance's REQUEST_WEIGHT limit: `limit` weight per fixed window of `interval_s` seconds.

    Windows are aligned to the epoch (Binance's minute), counted per client IP; a refused request
    does not count. `limit=None` switches the budget off.
    """

    def __init__(self, limit: int | None = 6000, interval_s: float = 60.0) -> None:
        self.limit, self.interval_s = limit, interval_s
        self._used: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()
        self.refused = 0

    def configure(self, limit: int | None, interval_s: float) -> None:
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise ValueError("weight_limit must be a positive integer or null.")
        if not isinstance(interval_s, int | float) or interval_s <= 0:
            raise ValueError("weight_interval_seconds must be a positive number.")
        with self._lock:
            self.limit, self.interval_s = limit, float(interval_s)
            self._used.clear()
            self.refused = 0

    def take(self, ip: str, weight: int, now_s: float | None = None) -> BudgetAnswer:
        now_s = time.time() if now_s is None else now_s
        window = int(now_s // self.interval_s)
        with self._lock:
            key = (ip, window)
            used = self._used.get(key, 0)
            if self.limit is not None and used + weight > self.limit:
                self.refused += 1
                retry = max(1, int((window + 1) * self.interval_s - now_s + 0.999))
                return BudgetAnswer(False, used, retry)
            self._used = {k: v for k, v in self._used.items() if k[1] >= window}  # forget old
            self._used[key] = used + weight
            return BudgetAnswer(True, used + weight, 0)

    def state(self) -> dict[str, object]:
        with self._lock:
            return {
                "weight_limit": self.limit,
                "weight_interval_seconds": self.interval_s,
                "refused": self.refused,
            }


def _without_signature(raw: str) -> tuple[str, str | None]:
    """The raw parameter string with its `signature=` pair removed, and the signature."""
    kept, signature = [], None
    for pair in raw.split("&") if raw else []:
        if pair.startswith("signature="):
            signature = pair[len("signature=") :]
        else:
            kept.append(pair)
    return "&".join(kept), signature


def signed_account(
    *,
    lookup: Callable[[str], Account | None],
    api_key: str | None,
    raw_query: str,
    raw_body: str,
    client_ip: str,
    server_now_ms: int,
) -> Account:
    """The account of a correctly signed, timely request, or Binance's refusal.

    Binance signs `totalParams`: the query string concatenated with the body, each as sent,
    without the signature pair; HMAC-SHA256 with the secret, hex.
    """
    if not api_key:
        raise ApiError(401, -2014, "API-key format invalid.")
    account = lookup(api_key)
    if account is None:
        raise ApiError(401, -2015, INVALID_KEY_MSG)
    if account.ip_whitelist and client_ip not in account.ip_whitelist:
        raise ApiError(401, -2015, f"{INVALID_KEY_MSG[:-1]}, request ip: {client_ip}")
    query, query_signature = _without_signature(raw_query)
    body, body_signature = _without_signature(raw_body)
    params = dict(parse_qsl(query)) | dict(parse_qsl(body))
    timestamp, window = params.get("timestamp", ""), params.get("recvWindow")
    if not timestamp.isdigit():
        raise ApiError(
            400,
            -1102,
            "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
        )
    recv_window = DEFAULT_RECV_WINDOW_MS
    if window is not None:
        if not window.isdigit() or int(window) > MAX_RECV_WINDOW_MS:
            raise ApiError(400, -1131, "recvWindow must be less than 60000")
        recv_window = int(window)
    if int(timestamp) > server_now_ms + AHEAD_TOLERANCE_MS:
        raise ApiError(
            400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."
        )
    if server_now_ms - int(timestamp) > recv_window:
        raise ApiError(400, -1021, "Timestamp for this request is outside of the recvWindow.")
    signature = query_signature or body_signature
    if not signature:
        raise ApiError(
            400,
            -1102,
            "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
        )
    expected = hmac.new(
        account.secret.encode(), (query + body).encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise ApiError(400, -1022, "Signature for this request is not valid.")
    return account
