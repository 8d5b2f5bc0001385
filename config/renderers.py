"""JSON rendering with orjson: candle payloads of thousands of rows stay in single-digit ms."""

from typing import Any

import orjson
from rest_framework.renderers import BaseRenderer

from config.http_cache import RenderedAnswer

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
# orjson's integer range; a wider one (a huge number read back from a JSON column) goes out
# as a float, or null when even a float cannot hold it.
_INT_LOW, _INT_HIGH = -(2**63), 2**64 - 1


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, RenderedAnswer):  # rendered once, maybe cached: sent as it is
            return data.body
        try:
            return orjson.dumps(data, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return orjson.dumps(ints_narrowed(data), option=_OPTIONS)


def ints_narrowed(value: Any) -> Any:
    """`value` with every integer outside orjson's range made a float (None if too large even
    for one). Walked only when a render failed, so the usual answer pays nothing."""
    if isinstance(value, dict):
        return {key: ints_narrowed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [ints_narrowed(item) for item in value]
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not _INT_LOW <= value <= _INT_HIGH
    ):
        try:
            return float(value)
        except OverflowError:
            return None
    return value
