"""The one place that builds ccxt exchange clients.

Only the datafeeds layer imports ccxt. A client can be pointed at another API host per exchange
(a testnet, a proxy or the local exchange emulator) with ``EXCHANGE_API_HOSTS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import ccxt

from apps.exchanges.ratelimit import rate_limiter_install


class UnknownExchange(ValueError):
    """The exchange id is not one ccxt knows."""


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


def exchange_client_create(
    *,
    exchange_id: str,
    api_hosts: Mapping[str, str] | None = None,
    timeout_ms: int = 10_000,
    options: Mapping[str, Any] | None = None,
) -> ccxt.Exchange:
    """A synchronous ccxt client, rate limiter on, API host overridden when configured."""
    exchange_class = getattr(ccxt, exchange_id, None)
    if exchange_id not in ccxt.exchanges or exchange_class is None:
        raise UnknownExchange(f"Unknown exchange '{exchange_id}': not a ccxt exchange id.")
    client = exchange_class(
        {"enableRateLimit": True, "timeout": timeout_ms, "options": dict(options or {})}
    )
    host = (api_hosts or {}).get(exchange_id)
    if host:
        client.urls["api"] = _override_api_urls(client.urls["api"], host)
    rate_limiter_install(client)  # the exchange's request budget, shared by every process
    return client
