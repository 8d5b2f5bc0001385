"""ccxt clients for exchange accounts: credentials decrypted only here, just before use.

The client comes from the one factory, `exchange_client.exchange_client_create` (API host
overrides, per-process limiter, the shared exchange budget), and gets the account's
credentials, its per-account order budget, and a verbose log that goes through logging (so the
secret redaction applies) instead of print().
"""

from __future__ import annotations

import logging
from typing import Any

import ccxt
from django.conf import settings

from apps.exchanges.exchange_client import exchange_client_create

from .crypto import secret_decrypt
from .models import Environment, ExchangeAccount
from .ratelimit import rate_limiter_install

verbose_logger = logging.getLogger("ccxt.verbose")

# Per-account request options; recvWindow in ms (Binance's default is 5000, ccxt sends 10000).
CLIENT_OPTIONS: dict[str, Any] = {}


def api_hosts_for(*, exchange_id: str, environment: str) -> dict[str, str]:
    """EXCHANGE_API_HOSTS entries for this environment: "<id>" live, "<id>:testnet" testnet."""
    hosts = settings.EXCHANGE_API_HOSTS
    key = exchange_id if environment == Environment.LIVE else f"{exchange_id}:testnet"
    return {exchange_id: hosts[key]} if key in hosts else {}


def exchange_account_client(
    *, account: ExchangeAccount, timeout_ms: int | None = None
) -> ccxt.Exchange:
    hosts = api_hosts_for(exchange_id=account.exchange, environment=account.environment)
    client = exchange_client_create(
        exchange_id=account.exchange,
        api_hosts=hosts,
        timeout_ms=timeout_ms or settings.DATAFEEDS_EXCHANGE_TIMEOUT_MS,
        options=CLIENT_OPTIONS,
    )
    if account.environment == Environment.TESTNET and not hosts:
        client.set_sandbox_mode(True)  # ccxt's testnet URLs
    name = account.display_name
    client.apiKey = secret_decrypt(account.api_key_encrypted, owner_label=name)
    client.secret = secret_decrypt(account.secret_encrypted, owner_label=name)
    client.password = secret_decrypt(account.passphrase_encrypted, owner_label=name) or None
    client.log = lambda *parts: verbose_logger.debug(" ".join(str(p) for p in parts))
    client.verbose = getattr(settings, "EXCHANGE_CCXT_VERBOSE", False)
    rate_limiter_install(client, account_key=str(account.id))
    return client
