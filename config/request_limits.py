"""What an API request body may be, checked before any view runs and refused in words: its size
(DATA_UPLOAD_MAX_MEMORY_SIZE, 413), a JSON body's nesting depth (MAX_JSON_DEPTH, 400) and a form's
field and file counts (DATA_UPLOAD_MAX_NUMBER_FIELDS / _FILES, 400).

Without the depth limit a body nested ~1,000 deep makes the JSON decoder raise RecursionError
inside the view (a 500); 64 levels is far more than any of our bodies uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO

import numpy as np
from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousMultipartForm,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError

from config.errors import API_PREFIX, json_error

MAX_JSON_DEPTH = 64
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
# A JSON string, escapes included; possessive, so a hostile body cannot make it backtrack.
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_OPEN = np.zeros(256, dtype=np.int8)
_OPEN[[ord("["), ord("{")]] = 1
_OPEN[[ord("]"), ord("}")]] = -1


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings do
    not count). Linear and recursion-free, so it is safe on any input, valid JSON or not."""
    brackets = _JSON_STRING.sub(b"", body)
    if not brackets:
        return 0
    steps = _OPEN[np.frombuffer(brackets, dtype=np.uint8)].astype(np.int64)
    return int(max(np.cumsum(steps).max(), 0))


def _media_type(request: HttpRequest) -> str:
    return request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def body_problem(request: HttpRequest) -> HttpResponse | None:
    """The refusal of a body over a limit, or None when the body is within every limit."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return json_error(400, "Content-Length is not a number.")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        return json_error(413, f"Request body too large: at most {limit} bytes.")
    if not length:
        return None
    media_type = _media_type(request)
    try:
        if _is_json(media_type) and json_depth(request.body) > MAX_JSON_DEPTH:
            return json_error(400, f"JSON nested too deeply: at most {MAX_JSON_DEPTH} levels.")
        if media_type in _FORMS:
            _form_parse(request, media_type)
    except RequestDataTooBig:
        return json_error(413, f"Request body too large: at most {limit} bytes.")
    except TooManyFieldsSent:
        fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return json_error(400, f"Too many form fields: at most {fields}.")
    except TooManyFilesSent:
        files = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return json_error(400, f"Too many files: at most {files}.")
    except (MultiPartParserError, SuspiciousMultipartForm) as error:
        return json_error(400, f"Malformed multipart body: {error}")
    return None


def _form_parse(request: HttpRequest, media_type: str) -> None:
    """Parse a form body now, under Django's field and file limits: a POST's result is kept
    (DRF reuses request.POST), another method's is parsed the way DRF's parsers will."""
    if request.method == "POST":
        request.POST  # noqa: B018
    elif media_type == _FORMS[0]:
        QueryDict(request.body, encoding=request.encoding)
    else:
        request.parse_file_upload(request.META, BytesIO(request.body))


class RequestLimitsMiddleware:
    """Under /api/: a body over a limit never reaches a view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            refused = body_problem(request)
            if refused is not None:
                return refused
        return self.get_response(request)
