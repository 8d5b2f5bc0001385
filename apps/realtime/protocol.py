"""Close codes, server message types and client-message parsing shared by every socket (pure:
no Django, no I/O). The browser's copy of the codes and types is generated from this module
(frontend/src/lib/realtime-protocol.ts, `make api-types`; make test fails when it is stale).

A client message is a JSON object in a text frame of at most MAX_MESSAGE_CHARS characters.
Anything else raises MessageInvalid, whose text goes back to the client in an error message;
the socket stays open.
"""

from __future__ import annotations

import json
import math
from typing import Any

# Close codes (4000-4999 belong to the application). The socket is accepted first and then
# closed: a close before the accept reaches a browser as a bare HTTP 403, without the code.
CLOSE_UNAUTHENTICATED = 4401  # anonymous: sent before any lookup, so it says nothing of the id
CLOSE_NOT_FOUND = 4404  # missing, or another user's: the same answer, no existence oracle
CLOSE_NOT_READY = 4409  # yours, but in a state the socket cannot serve (a run not done)
CLOSE_TOO_MANY = 4429  # the per-user cap on open sockets of this kind is reached
# The standard "try again later": the channel layer (Redis) is away; the client reconnects.
CLOSE_UNAVAILABLE = 1013

# What the server sends on every socket. The handshake comes first, once per connection:
# {"type": "ready", "push": bool, "heartbeat": seconds, ...the socket's own snapshot}, where
# `push` is false on a channel layer that cannot carry events from other processes (the
# in-memory one of the embedded default: the page then re-reads by itself).
MESSAGE_READY = "ready"  # the handshake, first on every connection (see above)
MESSAGE_HEARTBEAT = "heartbeat"  # every REALTIME_HEARTBEAT_SECONDS: the connection is alive
MESSAGE_ERROR = "error"  # {"detail": ...}: a client message the socket could not act on

MAX_MESSAGE_CHARS = 4096  # a control message is tens of characters; this leaves room, no more
MAX_INT_DIGITS = 15  # longer integers parse as +-inf, which every range check refuses


class MessageInvalid(ValueError):
    """A client message the socket cannot act on (its text goes back to the client)."""


def _bounded_int(text: str) -> int | float:
    # A 310-digit integer would overflow float conversions downstream (and Python refuses
    # 4300+ digit strings outright): beyond 15 digits it is simply "too large".
    digits = text.lstrip("-")
    if len(digits) > MAX_INT_DIGITS:
        return -math.inf if text.startswith("-") else math.inf
    return int(text)


def _constant(name: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def parse_client_message(text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
    """The JSON object of one client frame, or MessageInvalid saying what is wrong."""
    if text_data is None:
        raise MessageInvalid("binary frames are not accepted: send a JSON object as text")
    if len(text_data) > MAX_MESSAGE_CHARS:
        raise MessageInvalid(f"message too large: at most {MAX_MESSAGE_CHARS} characters")
    try:
        value = json.loads(text_data, parse_int=_bounded_int, parse_constant=_constant)
    except RecursionError:
        raise MessageInvalid("message nested too deeply") from None
    except ValueError:
        raise MessageInvalid("messages must be JSON objects") from None
    if not isinstance(value, dict):
        raise MessageInvalid("messages must be JSON objects")
    return value


def _shown(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"


def number_in(value: Any, name: str, low: float, high: float) -> float:
    """A finite number in [low, high] (bools are not numbers here)."""
    span = f"[{_shown(low)}, {_shown(high)}]"
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise MessageInvalid(f"{name} must be a number in {span}")
    if not low <= value <= high:
        raise MessageInvalid(f"{name} must be in {span}")
    return value


def int_in(value: Any, name: str, low: int, high: int) -> int:
    """An integer in [low, high] (a float with a fraction is refused, 3.0 is 3)."""
    number = number_in(value, name, low, high)
    if number != int(number):
        raise MessageInvalid(f"{name} must be a whole number in [{low}, {high}]")
    return int(number)
