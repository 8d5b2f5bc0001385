"""The API is typed end to end: every response has a schema, and the browser app's generated
types (frontend/src/lib/api-schema.ts) match a fresh generation from it."""

from __future__ import annotations

import difflib
import sys

from django.conf import settings

sys.path.insert(0, str(settings.BASE_DIR / "scripts"))
import api_types  # noqa: E402
import realtime_types  # noqa: E402


def _untyped(schema: dict, components: dict, seen: frozenset = frozenset()) -> bool:
    """A free-form object (no properties, no additionalProperties type) anywhere inside."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return name not in seen and _untyped(components[name], components, seen | {name})
    if schema.get("type") == "array":
        return _untyped(schema.get("items", {}), components, seen)
    if "properties" in schema or isinstance(schema.get("additionalProperties"), dict):
        inner = list(schema.get("properties", {}).values())
        if isinstance(schema.get("additionalProperties"), dict):
            inner.append(schema["additionalProperties"])
        return any(_untyped(s, components, seen) for s in inner)
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            return any(_untyped(s, components, seen) for s in schema[key])
    return schema.get("type") == "object" or not schema


def test_every_response_body_has_a_typed_schema():
    document = api_types.schema_document()
    components = document["components"]["schemas"]
    untyped = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if not code.startswith("2") or "content" not in response:
                    continue
                body = response["content"]["application/json"]["schema"]
                if _untyped(body, components):
                    untyped.append(f"{method.upper()} {path} {code}")
    assert untyped == [], f"responses without a typed schema: {untyped}"


def test_untyped_detector_flags_a_free_form_object():
    assert _untyped({"type": "object"}, {})
    assert _untyped({"type": "object", "properties": {"x": {}}}, {})
    assert not _untyped({"type": "object", "properties": {"x": {"type": "integer"}}}, {})


def test_committed_front_end_types_match_the_schema():
    fresh = api_types.typescript_for(api_types.schema_document())
    committed = api_types.OUTPUT.read_text()
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            "committed api-schema.ts",
            "fresh generation",
            n=1,
        )
    )
    stale = "frontend/src/lib/api-schema.ts is stale: run `make api-types`."
    assert not diff, f"{stale}\n{diff[:4000]}"


def test_committed_socket_protocol_matches_the_servers():
    """The browser's close codes and message types are the server's (apps/realtime/protocol.py):
    run `make api-types` after changing them."""
    assert realtime_types.OUTPUT.read_text() == realtime_types.typescript()
