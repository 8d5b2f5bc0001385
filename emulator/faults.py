"""Fault injection: a FIFO queue of faults, each consumed by the next `count` matching requests.

Every fault takes `endpoint` (see ENDPOINTS, or any; default klines, order for the order-only
kinds) and `after` (let that many matching requests through first, e.g. to fail a download after
its first page).

`server_error` answers what Binance (or a proxy in front of it) answers when it fails: HTTP
`status` (5xx, or 408, Binance's "timeout waiting for the backend") with a `body` that is `text`
(the default), `html` (a proxy's error page) or `json` (Binance's {"code", "msg"}, `code` one of
-1000, -1001, -1006, -1007; default -1001, -1007 for a 408). `reset` resets the connection (TCP
RST) without an answer.

Order faults (endpoint `order`, i.e. POST /api/v3/order, or `orderList`, POST
/api/v3/orderList/oco): `server_error`, `reset` and `reject` with `accepted=true` happen AFTER the
order was accepted (and filled, for a market order);
`no_answer` accepts the order and closes the connection without an answer (after `seconds`,
default 0); `slow` accepts it and answers late; `reject` refuses it (-2010, `msg`; with
`accepted`, an exchange that says so but did it: the platform's orphan adoption is tested with
it); `lookup_lag` accepts it and hides it from lookups for `seconds` (Binance's "Order does not
exist" right after acceptance); `partial_fill` fills only `fraction` (default 0.5) of a MARKET
order and expires the rest (Binance's EXPIRED market order when the book runs dry), and makes a
stop order's or an OCO's first fill (once triggered) take only `fraction`, the rest resting at its
limit price (PARTIALLY_FILLED).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

# Faults that replace or delay the whole answer; each matching request consumes one.
ERROR_KINDS = ("rate_limit", "server_error", "slow", "reset")
ORDER_KINDS = ("no_answer", "reject", "lookup_lag", "partial_fill")  # new orders only
MALFORMED_MODES = ("high_below_low", "not_a_number", "negative_volume")
KINDS = (*ERROR_KINDS, *ORDER_KINDS, "malformed_row", "unclosed_last")
# Which requests a fault applies to (opts["endpoint"]); malformed_row is klines-only.
PRIVATE_ENDPOINTS = (
    "order",
    "getOrder",
    "cancelOrder",
    "openOrders",
    "account",
    "myTrades",
    "orderList",  # POST /api/v3/orderList/oco
    "getOrderList",
    "cancelOrderList",
    "openOrderList",
)
# The endpoints that create orders: the order kinds apply to them (default: order).
ORDER_ENDPOINTS = ("order", "orderList")
ENDPOINTS = ("klines", "exchangeInfo", "time", "ping", *PRIVATE_ENDPOINTS, "any")
ERROR_BODIES = ("text", "html", "json")
# Binance's "execution status unknown" codes and their messages (its API documentation).
UNKNOWN_STATUS_MESSAGES = {
    -1000: "An unknown error occurred while processing the request.",
    -1001: "Internal error; unable to process your request. Please try again.",
    -1006: "An unexpected response was received from the message bus. Execution status unknown.",
    -1007: "Timeout waiting for response from backend server. Send status unknown; execution "
    "status unknown.",
}


@dataclass
class Fault:
    kind: str
    remaining: int
    opts: dict[str, Any] = field(default_factory=dict)
    skip: int = 0  # matching requests still to let through (the `after` option)

    @property
    def endpoint(self) -> str:
        default = "order" if self.kind in ORDER_KINDS else "klines"
        return str(self.opts.get("endpoint", default))

    def matches(self, endpoint: str) -> bool:
        return self.endpoint in ("any", endpoint)

    def as_dict(self) -> dict[str, Any]:
        return {**self.opts, "kind": self.kind, "remaining": self.remaining, "after": self.skip}


def fault_create(kind: str, count: int = 1, **opts: Any) -> Fault:
    """A validated fault, or ValueError saying what is wrong."""
    if kind not in KINDS:
        raise ValueError(f"Unknown fault kind '{kind}'; expected one of {', '.join(KINDS)}.")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"Fault count must be an integer >= 1, got {count!r}.")
    after = opts.get("after", 0)
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ValueError(f"Fault option 'after' must be an integer >= 0, got {after!r}.")
    fault = Fault(kind, count, dict(opts), skip=after)
    if fault.endpoint not in ENDPOINTS:
        raise ValueError(f"Unknown endpoint '{fault.endpoint}'; expected one of {ENDPOINTS}.")
    if kind == "malformed_row":
        if fault.endpoint != "klines":
            raise ValueError("malformed_row faults apply to klines only.")
        mode = opts.get("mode", "high_below_low")
        if mode not in MALFORMED_MODES:
            raise ValueError(f"Unknown malformed_row mode '{mode}'; expected {MALFORMED_MODES}.")
        if not isinstance(opts.get("index", 0), int):
            raise ValueError("malformed_row index must be an integer.")
    if kind in ORDER_KINDS and fault.endpoint not in ORDER_ENDPOINTS:
        raise ValueError(f"{kind} faults apply to new orders only (endpoint order or orderList).")
    for name in ("retry_after", "seconds", "status"):
        if name in opts and not isinstance(opts[name], int | float):
            raise ValueError(f"Fault option '{name}' must be a number.")
    if kind == "partial_fill" and not (
        isinstance(opts.get("fraction", 0.5), int | float) and 0 < opts.get("fraction", 0.5) < 1
    ):
        raise ValueError("partial_fill fraction must be a number between 0 and 1 (exclusive).")
    if kind == "server_error":
        status = opts.get("status", 503)
        if not (500 <= status <= 599 or status == 408):
            raise ValueError("server_error status must be a 5xx code or 408.")
        if opts.get("body", "text") not in ERROR_BODIES:
            raise ValueError(f"server_error body must be one of {', '.join(ERROR_BODIES)}.")
        if "code" in opts and opts["code"] not in UNKNOWN_STATUS_MESSAGES:
            codes = ", ".join(str(c) for c in UNKNOWN_STATUS_MESSAGES)
            raise ValueError(f"server_error code must be one of {codes}.")
    return fault


class FaultQueue:
    """Thread-safe queue of pending faults, consumed in the order they were injected."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def push(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.as_dict() for fault in self._faults]

    def take(self, kinds: tuple[str, ...], endpoint: str) -> Fault | None:
        """Consume one use of the first queued fault of `kinds` that applies to `endpoint`."""
        with self._lock:
            for fault in self._faults:
                if fault.kind not in kinds or not fault.matches(endpoint):
                    continue
                if fault.skip:  # let this one through; a later fault may still apply
                    fault.skip -= 1
                    continue
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None
