"""Parsing and formatting of the times users type: ISO dates and datetimes, or epoch numbers."""

from __future__ import annotations

from datetime import UTC, datetime

EPOCH_MS_THRESHOLD = 10**11  # a bare number above this is epoch milliseconds, below it seconds


def parse_time_ms(text: str) -> int:
    """Epoch ms UTC from '2025-01-01', '2025-01-01T12:00[:00][Z|+02:00]' or epoch s / ms.

    A datetime without an offset is taken as UTC. Raises ValueError with the accepted forms.
    """
    value = text.strip()
    if value.isdigit():
        number = int(value)
        return number if number >= EPOCH_MS_THRESHOLD else number * 1000
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"'{text}' is not a date: use YYYY-MM-DD, an ISO 8601 datetime or epoch seconds."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def format_ms(ms: int) -> str:
    """'2025-01-01 12:00 UTC' for logs and command output."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
