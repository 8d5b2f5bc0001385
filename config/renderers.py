"""JSON rendering with orjson: candle payloads of thousands of rows stay in single-digit ms."""

from typing import Any

import orjson
from rest_framework.renderers import BaseRenderer

from config.http_cache import RenderedAnswer


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, RenderedAnswer):  # rendered once, maybe cached: sent as it is
            return data.body
        return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
