"""Commands the platform suggests (in errors, banners, stall reasons): complete and runnable as
printed, with real dates, never a placeholder to fill in."""

from __future__ import annotations

from datetime import UTC, datetime

from .models import Symbol


def fetch_command(
    symbol: Symbol, timeframe: str, *, since_ms: int | None = None, track: bool = False
) -> str:
    """`python manage.py fetch_ohlcv ...` for a stored symbol: from the UTC day of `since_ms`
    (a resume after the last stored candle without it); `track` keeps it up to date."""
    parts = [f"python manage.py fetch_ohlcv {symbol.name} {timeframe} --exchange {symbol.exchange}"]
    if since_ms is not None:
        day = datetime.fromtimestamp(since_ms / 1000, tz=UTC).strftime("%Y-%m-%d")
        parts.append(f"--since {day}")
    if track:
        parts.append("--track")
    return " ".join(parts)


QUOTES = ("USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USD", "EUR", "BTC", "ETH", "BNB")


def register_command(name: str, timeframe: str = "1h") -> str:
    """The download that registers an unknown symbol: its base and quote guessed from the usual
    quote currencies (BTCUSDT: BTC and USDT), else named as what to fill in."""
    upper = name.upper()
    quote = next((q for q in QUOTES if upper.endswith(q) and len(upper) > len(q)), None)
    pair = (
        f"--base {upper[: -len(quote)]} --quote {quote}"
        if quote
        else "--base <its base asset> --quote <its quote asset>"
    )
    return f"python manage.py fetch_ohlcv {name} {timeframe} {pair}"
