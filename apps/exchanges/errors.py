"""ccxt's answers to a balance check, in words a user can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass

import ccxt

from .redaction import redact

_BINANCE_CODE = re.compile(r'"code"\s*:\s*(-?\d+)')
_BINANCE_MSG = re.compile(r'"msg"\s*:\s*"([^"]*)"')


@dataclass(frozen=True)
class Refusal:
    reason: str  # invalid_key | bad_signature | ip_not_allowed | clock_skew | unreachable | ...
    message: str


def refusal_from(error: Exception) -> Refusal:
    """Classify a ccxt exception (Binance codes first, then ccxt's types); never a secret."""
    text = redact(str(error))
    code_match, msg_match = _BINANCE_CODE.search(text), _BINANCE_MSG.search(text)
    code = int(code_match.group(1)) if code_match else None
    said = msg_match.group(1) if msg_match else text
    if code == -2015 and "request ip" in said:
        ip = said.rsplit("request ip:", 1)[-1].strip()
        return Refusal(
            "ip_not_allowed",
            f"IP not allowed: the API key's IP whitelist does not include this server ({ip}).",
        )
    if code in (-2015, -2014, -2008) or (
        code is None and isinstance(error, ccxt.AuthenticationError | ccxt.PermissionDenied)
    ):
        return Refusal(
            "invalid_key",
            "Invalid API key: the exchange does not know it, or it lacks the permission "
            f"(exchange said: {said})",
        )
    if code == -1022:
        return Refusal(
            "bad_signature",
            f"Bad signature: the secret does not belong to this API key (exchange said: {said})",
        )
    if code == -1021 or isinstance(error, ccxt.InvalidNonce):
        return Refusal(
            "clock_skew",
            "Timestamp outside recvWindow: this server's clock and the exchange's differ; "
            f"synchronise the clock (NTP). Exchange said: {said}",
        )
    if isinstance(error, ccxt.RateLimitExceeded | ccxt.DDoSProtection):
        return Refusal("rate_limited", f"Rate limited by the exchange; try again later. ({said})")
    if isinstance(error, ccxt.NetworkError):
        return Refusal(
            "unreachable",
            f"Exchange unreachable: {type(error).__name__} ({said}). Try again later.",
        )
    return Refusal("refused", f"The exchange refused the request: {said}")
