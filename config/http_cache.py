"""Answers rendered once and reused as bytes: ETag / If-None-Match (304) and gzip.

A view builds a `RenderedAnswer` (the JSON bytes and their ETag, cached by the caller as it
likes) and returns `answer_response(request, answer)`. The ETag is a hash of the bytes, so it
changes exactly when the content does. `PublicGzipMiddleware` compresses an answer only when
its view called `answer_response(..., public=True)` (public market data: nothing secret in the
body) and the response sets no cookie (no session or CSRF data): BREACH needs a secret and
attacker-chosen text in one compressed body, and such an answer carries no secret.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.http import HttpRequest
from django.utils.cache import get_conditional_response, patch_vary_headers
from rest_framework.response import Response

JSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
GZIP_MIN_BYTES = 1024  # smaller bodies gain nothing from compression
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@dataclass
class RenderedAnswer:
    """JSON bytes, their ETag (weak: the gzip encoding is the same content) and, once asked
    for, their gzip encoding (kept, so that a cached answer is compressed once)."""

    body: bytes
    etag: str
    _gzipped: bytes | None = field(default=None, repr=False)

    @classmethod
    def of(cls, payload: Any) -> RenderedAnswer:
        body = orjson.dumps(payload, option=JSON_OPTIONS)
        return cls(body, f'W/"{hashlib.blake2b(body, digest_size=16).hexdigest()}"')

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped

    def compressible(self) -> bool:
        return len(self.body) >= GZIP_MIN_BYTES


def answer_response(request: HttpRequest, answer: RenderedAnswer, *, public: bool) -> Response:
    """200 with the bytes, or 304 when the client's If-None-Match holds the answer's ETag.

    Cache-Control `no-cache`: clients keep the answer but revalidate every time (new candles
    arrive at any moment); `public` only for answers that are the same for every user.
    """
    response = Response(
        answer,
        headers={
            "ETag": answer.etag,
            "Cache-Control": f"{'public' if public else 'private'}, no-cache",
        },
    )
    if public:
        response.public_answer = answer
    return get_conditional_response(request, etag=answer.etag, response=response)


class PublicGzipMiddleware:
    """Gzip for answers marked public by `answer_response`, never for one setting a cookie.

    Placed before the session and CSRF middleware in MIDDLEWARE, so that it sees the cookies
    they add to the response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        answer: RenderedAnswer | None = getattr(response, "public_answer", None)
        if answer is None or response.status_code != 200 or not answer.compressible():
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if response.cookies or response.has_header("Content-Encoding"):
            return response
        if not _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        if response.content != answer.body:  # rendered as something else (browsable API)
            return response
        response.content = answer.gzipped()
        response["Content-Length"] = str(len(response.content))
        response["Content-Encoding"] = "gzip"
        return response
