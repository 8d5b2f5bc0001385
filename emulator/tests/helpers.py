"""Test helpers for the emulator: ccxt's unmodified `binance` class pointed at an emulator.

Written here rather than imported from the platform: the emulator's tests must not depend on
the code that the emulator is a test double for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import ccxt


def _repoint(urls: Any, host: str) -> Any:
    if isinstance(urls, Mapping):
        return {key: _repoint(value, host) for key, value in urls.items()}
    if isinstance(urls, str) and urls.startswith(("http://", "https://")):
        target, parts = urlsplit(host), urlsplit(urls)
        return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))
    return urls


def binance_client(
    url: str,
    *,
    api_key: str | None = None,
    secret: str | None = None,
    timeout_ms: int = 10_000,
    rate_limit: bool = False,
    options: Mapping[str, Any] | None = None,
) -> ccxt.binance:
    """ccxt.binance against the emulator at `url` (ccxt's throttle off unless asked)."""
    config: dict[str, Any] = {
        "enableRateLimit": rate_limit,
        "timeout": timeout_ms,
        "options": dict(options or {}),
    }
    if api_key is not None:
        config |= {"apiKey": api_key, "secret": secret}
    client = ccxt.binance(config)
    client.urls["api"] = _repoint(client.urls["api"], url)
    return client
