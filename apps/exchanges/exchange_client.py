"""The one place that talks ccxt: exchange clients and the errors business code sees.

Only this module imports ccxt. Business code gets an `ExchangeClient` from `exchange_client_for()`
and catches this module's exceptions, never ccxt's. (`exchange_client_create()` builds the raw
ccxt client underneath; only the emulator's protocol tests use it directly, as they test ccxt
itself against the emulator.) As in freqtrade's
exchange/common.py, errors are split by what the caller should do about them:

    ExchangeError                   anything the exchange (or the way to it) refused
    ├── TemporaryExchangeError      retry later: network, timeout, 5xx, maintenance
    │   └── RateLimited             the exchange asked us to slow down (HTTP 429/418)
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

A client can be pointed at another API host per exchange (a testnet, a proxy or the local
exchange emulator) with ``EXCHANGE_API_HOSTS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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
    (ccxt.DDoSProtection, RateLimited),  # RateLimitExceeded is a DDoSProtection
    (ccxt.NetworkError, TemporaryExchangeError),  # timeouts, 5xx, maintenance, bad nonce
    (ccxt.BadSymbol, UnknownMarket),
    (ccxt.AuthenticationError, AuthenticationFailed),  # PermissionDenied, AccountSuspended
    (ccxt.InsufficientFunds, InsufficientFunds),
    (ccxt.OrderNotFound, OrderNotFound),
    (ccxt.InvalidOrder, InvalidOrder),
    (ccxt.BaseError, PermanentExchangeError),
)


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

    @contextmanager
    def errors_translated(self) -> Iterator[None]:
        """Re-raise any ccxt error inside the block as this module's equivalent."""
        try:
            yield
        except ccxt.BaseError as error:
            raise self._translate(error) from error

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a ccxt method by name (plain data in, plain data out), errors translated.
        For calls without a method of their own here, e.g. ``call("fetch_balance")``."""
        func: Callable[..., Any] = getattr(self._client, method)
        with self.errors_translated():
            return func(*args, **kwargs)

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

    def _translate(self, error: ccxt.BaseError) -> ExchangeError:
        ours = next(target for source, target in _TRANSLATION if isinstance(error, source))
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
