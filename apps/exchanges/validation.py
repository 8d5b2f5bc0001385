"""Input rules for exchange accounts: which exchanges qualify and what a credential looks like."""

from __future__ import annotations

import ccxt

from .models import Environment

# What a bot needs from an exchange (ccxt `has` flags), and spot markets.
NEEDED_CAPABILITIES = (
    "fetchBalance",
    "createOrder",
    "fetchOrder",
    "cancelOrder",
    "fetchOpenOrders",
)
MIN_CREDENTIAL_LENGTH = 8
MAX_CREDENTIAL_LENGTH = 1024


def exchange_errors(exchange_id: str, environment: str) -> dict[str, str]:
    """{field: message} for an exchange id ccxt lacks, lacks capabilities for, or has no testnet."""
    exchange_class = getattr(ccxt, exchange_id, None) if isinstance(exchange_id, str) else None
    if exchange_id not in ccxt.exchanges or exchange_class is None:
        return {"exchange": f"Unknown exchange '{exchange_id}': not a ccxt exchange id."}
    probe = exchange_class()
    has = probe.has
    missing = [name for name in NEEDED_CAPABILITIES if not has.get(name)]
    if not has.get("spot"):
        missing.insert(0, "spot markets")
    if missing:
        return {
            "exchange": f"Exchange '{exchange_id}' cannot be traded here: ccxt has no "
            f"{', '.join(missing)} for it."
        }
    if environment == Environment.TESTNET and not probe.urls.get("test"):
        return {"environment": f"Exchange '{exchange_id}' has no testnet in ccxt."}
    return {}


def requires_passphrase(exchange_id: str) -> bool:
    exchange_class = getattr(ccxt, exchange_id, None)
    return bool(exchange_class and exchange_class().requiredCredentials.get("password"))


def credential_error(label: str, value: object, *, required: bool = True) -> str | None:
    """Why `value` is not a usable API key / secret / passphrase (None when it is)."""
    if value is None or value == "":
        return f"{label} is required." if required else None
    if not isinstance(value, str):
        return f"{label} must be a string."
    if value != value.strip() or any(c.isspace() for c in value):
        return f"{label} must not contain spaces or line breaks (copied with extra characters?)."
    if not value.isprintable() or not value.isascii():
        return f"{label} must be printable ASCII characters."
    if required and not MIN_CREDENTIAL_LENGTH <= len(value) <= MAX_CREDENTIAL_LENGTH:
        return (
            f"{label} must be {MIN_CREDENTIAL_LENGTH} to {MAX_CREDENTIAL_LENGTH} characters long."
        )
    return None
