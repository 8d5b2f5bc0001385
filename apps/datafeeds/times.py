"""Parsing and formatting of the times users type: ISO dates and datetimes, or epoch numbers."""

from __future__ import annotations

from datetime import UTC, datetime

EPOCH_MS_THRESHOLD = 10**11  # a bare number above this is epoch milliseconds, below it seconds
# Every time a user gives is inside [TIME_MIN_MS, TIME_MAX_MS): far beyond any market's data,
# and far inside what the databases' 64-bit integers and Python's datetime can hold.
TIME_MIN_MS = 0  # 1970-01-01 00:00 UTC
TIME_MAX_MS = 4_102_444_800_000  # 2100-01-01 00:00 UTC
_MAX_TEXT = 64  # characters: longer is not a time, and int() of a huge digit string is slow
# What the OpenAPI schema says of a time parameter (the API fuzzer generates from it).
TIME_OPENAPI_SCHEMA = {
    "type": "string",
    "pattern": r"^([0-9]+|[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?)$",
    "example": "2024-01-01",
    "description": "YYYY-MM-DD, ISO 8601 or epoch seconds (UTC), 1970-01-01 to 2100-01-01",
}


def time_range_checked(ms: int) -> int:
    """`ms` when inside the accepted range, else ValueError saying the range."""
    if not TIME_MIN_MS <= ms < TIME_MAX_MS:
        raise ValueError("must be between 1970-01-01 and 2100-01-01 (UTC).")
    return ms


def parse_time_ms(text: str) -> int:
    """Epoch ms UTC from '2025-01-01', '2025-01-01T12:00[:00][Z|+02:00]' or epoch s / ms,
    between 1970-01-01 and 2100-01-01.

    A datetime without an offset is taken as UTC. Raises ValueError with the accepted forms.
    """
    value = text.strip()
    if len(value) > _MAX_TEXT:
        raise ValueError("is not a date: too long.")
    if value.isascii() and value.isdigit():
        number = int(value)
        return time_range_checked(number if number >= EPOCH_MS_THRESHOLD else number * 1000)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        ms = int(parsed.timestamp() * 1000)
    except (ValueError, OverflowError):
        raise ValueError(
            f"'{text}' is not a date: use YYYY-MM-DD, an ISO 8601 datetime or epoch seconds."
        ) from None
    return time_range_checked(ms)


def format_ms(ms: int) -> str:
    """'2025-01-01 12:00 UTC' for logs and command output."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


_SPANS = (("day", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000))


def duration_words(ms: int) -> str:
    """A duration as people read an age: '2 days 3 h', '4 h 5 min', '12 min', '40 s' (the two
    largest units; negative durations read as 0 s)."""
    left = max(int(ms), 0)
    parts = []
    for name, size in _SPANS:
        count, left = divmod(left, size)
        if count and len(parts) < 2:
            parts.append(f"{count} {name}{'s' if name == 'day' and count > 1 else ''}")
        elif parts:
            break
    return " ".join(parts) or "0 s"
