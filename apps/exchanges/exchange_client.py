"""The ccxt wrapper: exchange clients and the errors business code sees.

Only apps/exchanges imports ccxt (tested): this module wraps every call, `clients.py` gives an
account's client its credentials, `errors.py` words a connection check's refusal. Business code
gets an `ExchangeClient` from `exchange_client_for()` (or an account's trader from trading.py)
and catches this module's exceptions, never ccxt's. (`exchange_client_create()` builds the raw
ccxt client underneath; only the emulator's protocol tests use it directly, as they test ccxt
itself against the emulator.) As in freqtrade's
exchange/common.py, errors are split by what the caller should do about them:

    ExchangeError                   anything the exchange (or the way to it) refused
    ├── TemporaryExchangeError      retry later: network, timeout, 5xx, maintenance
    │   ├── RateLimited             the exchange asked us to slow down (HTTP 429/418)
    │   └── OutcomeUnknown          a send without a definite answer: look it up, never resend
    └── PermanentExchangeError      the same call will fail again: do not retry
        ├── UnknownExchange         not a ccxt exchange id
        ├── UnknownMarket           the exchange does not list the symbol
        ├── AuthenticationFailed    bad key, bad signature, IP not allowed, no permission
        ├── InsufficientFunds
        ├── InvalidOrder
        └── OrderNotFound

Every error keeps the underlying ccxt class name in `kind` (for messages and logs) and, for
temporary ones, the exchange's Retry-After in `retry_after_s`. These names are a stable contract:
apps/exchanges (accounts, balances) and apps/execution (orders) build on them.

Reads (`call`) and requests that change state on the exchange (`send`: create or cancel an
order) are classified differently. A failed read is only a failed read. A failed send is a
refusal only when the exchange definitely refused it (a known rejection answered with an HTTP
4xx); anything else may have been carried out (Binance: on a 5xx "the execution status is
UNKNOWN and could have been a success") and raises `OutcomeUnknown`, so that the caller looks
the order up instead of booking it refused. docs/exchanges.md has the table.

A client can be pointed at another API host per exchange (a testnet, a proxy or the local
exchange emulator) with ``EXCHANGE_API_HOSTS``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import ccxt

from .ratelimit import rate_limiter_install

DEFAULT_PAGE_LIMIT = 1000  # candles per request when the exchange does not declare its maximum


class ExchangeError(Exception):
    """An exchange call failed. `kind`: the underlying error's name (e.g. "RequestTimeout")."""

    def __init__(self, message: str, *, exchange: str = "", kind: str = ""):
        super().__init__(message)
        self.exchange = exchange
        self.kind = kind or type(self).__name__


class TemporaryExchangeError(ExchangeError):
    """Worth retrying later (with backoff): the request may well succeed next time."""

    def __init__(
        self, message: str, *, exchange: str = "", kind: str = "", retry_after_s: float = 0.0
    ):
        super().__init__(message, exchange=exchange, kind=kind)
        self.retry_after_s = retry_after_s  # the exchange's Retry-After header, 0 when absent


class RateLimited(TemporaryExchangeError):
    """The exchange throttled us; wait at least `retry_after_s` when it says so."""


class OutcomeUnknown(TemporaryExchangeError):
    """A request that changes state (an order sent, a cancel) got no definite answer: the
    exchange may have carried it out. Look it up (by client order id); never repeat it blindly."""


class PermanentExchangeError(ExchangeError):
    """Retrying the same call fails the same way: report it instead."""


class UnknownExchange(PermanentExchangeError, ValueError):
    """The exchange id is not one ccxt knows."""


class UnknownMarket(PermanentExchangeError):
    """The exchange does not list the market symbol."""


class AuthenticationFailed(PermanentExchangeError):
    """Credentials refused: bad key or signature, IP not allowed, missing permission."""


class InsufficientFunds(PermanentExchangeError):
    pass


class InvalidOrder(PermanentExchangeError):
    pass


class OrderNotFound(PermanentExchangeError):
    pass


# Most specific first: the first ccxt class an error is an instance of decides.
_TRANSLATION: tuple[tuple[type[Exception], type[ExchangeError]], ...] = (
    (ccxt.DDoSProtection, RateLimited),
    (ccxt.RateLimitExceeded, RateLimited),  # a NetworkError, not a DDoSProtection, in ccxt 4.5
    (ccxt.NetworkError, TemporaryExchangeError),  # timeouts, 5xx, maintenance, bad nonce
    (ccxt.BadSymbol, UnknownMarket),
    (ccxt.AuthenticationError, AuthenticationFailed),  # PermissionDenied, AccountSuspended
    (ccxt.InsufficientFunds, InsufficientFunds),
    (ccxt.OrderNotFound, OrderNotFound),
    (ccxt.InvalidOrder, InvalidOrder),
    (ccxt.BaseError, PermanentExchangeError),
)


# Binance's codes for "the execution status is unknown" (its API documentation: -1000 unknown
# error, -1001 internal error/disconnected, -1006 unexpected response from the message bus,
# -1007 timeout waiting for the backend). Whatever the HTTP status, the request may have been
# carried out.
UNKNOWN_OUTCOME_CODES = frozenset({-1000, -1001, -1006, -1007})

# A send the exchange definitely did not carry out: these ccxt classes (the exchange's own
# rejection codes, mapped by ccxt) answered with an HTTP 4xx. DuplicateOrderId is not one: it
# says an order with that client id exists.
_REFUSALS: tuple[type[Exception], ...] = (
    ccxt.InvalidOrder,  # -2010 NEW_ORDER_REJECTED, lot size, price filter, -2011/-2013 on cancel
    ccxt.InsufficientFunds,
    ccxt.BadRequest,  # malformed parameters (-11xx), BadSymbol
    ccxt.AuthenticationError,  # bad key or signature, PermissionDenied, AccountSuspended
    ccxt.OperationRejected,  # an explicit "rejected" (e.g. CANCEL_REJECTED on some markets)
)
_NOT_REFUSALS: tuple[type[Exception], ...] = (ccxt.DuplicateOrderId,)
# Raised by ccxt itself before any request leaves the process: nothing was sent.
_LOCAL_REFUSALS: tuple[type[Exception], ...] = (
    *_REFUSALS,
    ccxt.ArgumentsRequired,
    ccxt.NotSupported,
)


@dataclass
class RequestTrace:
    """What the last request of a client did on the wire (one per client and thread): whether a
    request left the process, and the HTTP status and body of its answer, if one came."""

    sent: bool = False
    status: int | None = None
    body: str = ""

    def clear(self) -> None:
        self.sent, self.status, self.body = False, None, ""

    @property
    def code(self) -> int | None:
        """The exchange's error code in a JSON body ({"code": -1001, "msg": ...}), if any."""
        try:
            parsed = json.loads(self.body) if self.body.lstrip().startswith("{") else None
        except ValueError:
            return None
        code = parsed.get("code") if isinstance(parsed, dict) else None
        try:
            return int(code) if code is not None else None
        except (TypeError, ValueError):
            return None


def send_outcome(error: BaseException, trace: RequestTrace) -> type[ExchangeError] | None:
    """What a failed request that changes state means: a definite refusal (the permanent class
    to raise), a rate limit (refused before acceptance: RateLimited), or None: the outcome is
    unknown and the order must be looked up. Pure; the table is in docs/exchanges.md."""
    if not trace.sent:  # ccxt refused it before any byte left this process
        if isinstance(error, _LOCAL_REFUSALS) and not isinstance(error, _NOT_REFUSALS):
            return _permanent_class(error)
        return None
    status = trace.status
    if status is None or not 400 <= status < 500 or status == 408:
        return None  # no answer, a 5xx, or "timed out waiting for the backend"
    if status in (418, 429) and isinstance(error, ccxt.DDoSProtection | ccxt.RateLimitExceeded):
        return RateLimited  # Binance refuses these before looking at the order
    if trace.code in UNKNOWN_OUTCOME_CODES:
        return None
    if isinstance(error, _REFUSALS) and not isinstance(error, _NOT_REFUSALS):
        return _permanent_class(error)
    return None


def _permanent_class(error: BaseException) -> type[ExchangeError]:
    return next(
        (target for source, target in _TRANSLATION if isinstance(error, source)),
        PermanentExchangeError,
    )


def read_outcome(error: ccxt.BaseError, trace: RequestTrace) -> type[ExchangeError]:
    """What a failed read means: ccxt's class decides, except that any answer with an HTTP 5xx
    is temporary whatever its body says (ccxt maps Binance's -1000/-1001/-1006 to
    OperationFailed, which is not a NetworkError)."""
    translated = _permanent_class(error)
    if (
        trace.status is not None
        and trace.status >= 500
        and not issubclass(translated, TemporaryExchangeError)
    ):
        return TemporaryExchangeError
    return translated


def _trace_install(client: ccxt.Exchange) -> threading.local:
    """Record on `client.request_trace` (per thread) whether each request left the process and
    the status and body of its answer."""
    traces = threading.local()
    fetch, on_rest_response = client.fetch, client.on_rest_response

    def trace() -> RequestTrace:
        current = getattr(traces, "trace", None)
        if current is None:
            current = traces.trace = RequestTrace()
        return current

    def traced_fetch(url, method="GET", headers=None, body=None):
        current = trace()
        current.clear()
        current.sent = True
        return fetch(url, method, headers, body)

    def traced_response(code, reason, url, method, headers, body, *args, **kw):
        current = trace()
        current.status, current.body = code, (body or "")[:2000]
        return on_rest_response(code, reason, url, method, headers, body, *args, **kw)

    client.fetch = traced_fetch
    client.on_rest_response = traced_response
    client.request_trace = trace
    return traces


def _replace_host(url: str, host: str) -> str:
    """Replace the scheme and network location of ``url`` with those of ``host``."""
    target = urlsplit(host)
    parts = urlsplit(url)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))


def _override_api_urls(urls: Any, host: str) -> Any:
    """Every API URL of a ccxt ``urls['api']`` tree, re-pointed at ``host``."""
    if isinstance(urls, Mapping):
        return {key: _override_api_urls(value, host) for key, value in urls.items()}
    if isinstance(urls, str) and urls.startswith(("http://", "https://")):
        return _replace_host(urls, host)
    return urls


def _retry_after_seconds(client: ccxt.Exchange) -> float:
    headers = client.last_response_headers or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return float(value) if value is not None else 0.0
    except ValueError:
        return 0.0


class ExchangeClient:
    """A synchronous ccxt client behind our own methods and exceptions."""

    def __init__(self, client: ccxt.Exchange):
        self._client = client

    @property
    def id(self) -> str:
        return self._client.id

    @property
    def timeframes(self) -> Mapping[str, str]:
        """Timeframes the exchange serves candles for (ours -> the exchange's notation)."""
        return self._client.timeframes or {}

    def milliseconds(self) -> int:
        """Now on the exchange client's clock, epoch ms."""
        return self._client.milliseconds()

    def _trace(self) -> RequestTrace:
        tracer = getattr(self._client, "request_trace", None)
        return tracer() if tracer is not None else RequestTrace()

    @contextmanager
    def errors_translated(self) -> Iterator[None]:
        """Re-raise any ccxt error inside the block as this module's equivalent (a read's
        meaning: see `read_outcome`)."""
        self._trace().clear()
        try:
            yield
        except ccxt.BaseError as error:
            raise self._translate(error, read_outcome(error, self._trace())) from error

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a ccxt method that reads (plain data in, plain data out), errors translated.
        For calls without a method of their own here, e.g. ``call("fetch_balance")``."""
        func: Callable[..., Any] = getattr(self._client, method)
        with self.errors_translated():
            return func(*args, **kwargs)

    def send(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a ccxt method that changes state on the exchange (create or cancel an order).
        Only a definite refusal raises a PermanentExchangeError (RateLimited for a 429/418);
        any other failure, of any class, raises OutcomeUnknown: it may have been done."""
        func: Callable[..., Any] = getattr(self._client, method)
        trace = self._trace()
        trace.clear()
        try:
            return func(*args, **kwargs)
        except Exception as error:  # any class: unknown unless the exchange definitely refused
            refusal = send_outcome(error, trace)
            if refusal is None:
                answer = f"HTTP {trace.status}" if trace.status else "no answer"
                raise OutcomeUnknown(
                    f"{answer}: {error}", exchange=self.id, kind=type(error).__name__
                ) from error
            raise self._translate(error, refusal) from error

    def load_markets(self) -> None:
        self.call("load_markets")

    def market(self, market_symbol: str) -> dict[str, Any]:
        """The loaded market `BASE/QUOTE` (load_markets first); UnknownMarket if not listed."""
        try:
            return self._client.market(market_symbol)
        except ccxt.BadSymbol as error:
            raise UnknownMarket(
                f"Unknown symbol '{market_symbol}' on {self.id}: the exchange does not list it.",
                exchange=self.id,
                kind=type(error).__name__,
            ) from error

    def lot_step(self, market: Mapping[str, Any]) -> Decimal:
        """The market's quantity step: ccxt's amount precision is the step itself (TICK_SIZE
        mode, Binance) or a number of decimals."""
        precision = (market.get("precision") or {}).get("amount")
        if precision is None:
            return Decimal(0)
        if self._client.precisionMode == ccxt.TICK_SIZE:
            return Decimal(str(precision))
        return Decimal(1).scaleb(-int(precision))

    def ohlcv_page_limit(self, market: Mapping[str, Any]) -> int:
        """The most candles one fetch_ohlcv request may return for this market."""
        features = (self._client.features or {}).get(market.get("type", "spot")) or {}
        return ((features.get("fetchOHLCV") or {}).get("limit")) or DEFAULT_PAGE_LIMIT

    def fetch_ohlcv(
        self, market_symbol: str, timeframe: str, *, since_ms: int, limit: int, until_ms: int
    ) -> list[list[float | None]]:
        """One page of candles [[open time ms, o, h, l, c, v], ...] opening in
        [since_ms, until_ms], at most `limit` of them."""
        return self.call(
            "fetch_ohlcv",
            market_symbol,
            timeframe,
            since=since_ms,
            limit=limit,
            params={"until": until_ms},
        )

    def _translate(self, error: BaseException, ours: type[ExchangeError]) -> ExchangeError:
        kind = type(error).__name__
        if issubclass(ours, TemporaryExchangeError):
            return ours(
                str(error),
                exchange=self.id,
                kind=kind,
                retry_after_s=_retry_after_seconds(self._client),
            )
        return ours(str(error), exchange=self.id, kind=kind)


def exchange_client_create(
    *,
    exchange_id: str,
    api_hosts: Mapping[str, str] | None = None,
    timeout_ms: int = 10_000,
    options: Mapping[str, Any] | None = None,
) -> ccxt.Exchange:
    """The raw synchronous ccxt client, rate limiter on, API host overridden when configured.
    Business code uses `exchange_client_for()` instead."""
    exchange_class = getattr(ccxt, exchange_id, None)
    if exchange_id not in ccxt.exchanges or exchange_class is None:
        raise UnknownExchange(
            f"Unknown exchange '{exchange_id}': not a ccxt exchange id.", exchange=exchange_id
        )
    client = exchange_class(
        {"enableRateLimit": True, "timeout": timeout_ms, "options": dict(options or {})}
    )
    host = (api_hosts or {}).get(exchange_id)
    if host:
        client.urls["api"] = _override_api_urls(client.urls["api"], host)
    rate_limiter_install(client)  # the exchange's request budget, shared by every process
    _trace_install(client)  # what each request did on the wire, for send_outcome
    return client


def exchange_client_for(
    *,
    exchange_id: str,
    api_hosts: Mapping[str, str] | None = None,
    timeout_ms: int = 10_000,
    options: Mapping[str, Any] | None = None,
) -> ExchangeClient:
    """A client of `exchange_id` (a ccxt id) behind our methods and exceptions; ccxt's rate
    limiter on; its API host overridden when `api_hosts` names one. UnknownExchange when ccxt
    has no such exchange."""
    return ExchangeClient(
        exchange_client_create(
            exchange_id=exchange_id, api_hosts=api_hosts, timeout_ms=timeout_ms, options=options
        )
    )
