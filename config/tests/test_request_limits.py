"""Bodies over a limit are refused in words before any view runs: JSON nested too deeply (every
operation of the schema that takes a body, signed in or not), too many form fields or files."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from config.request_limits import MAX_JSON_DEPTH, json_depth

pytestmark = pytest.mark.django_db


def _body_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in ("post", "put", "patch", "delete"):
                operations.append((method.upper(), path.replace("{", "").replace("}", "")))
    return sorted(operations)


BODY_OPERATIONS = _body_operations()


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_the_schema_has_body_operations_to_check():
    assert ("POST", "/api/auth/login/") in BODY_OPERATIONS
    assert ("POST", "/api/execution/bots/") in BODY_OPERATIONS
    assert len(BODY_OPERATIONS) >= 25


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_json_nested_1000_deep_is_a_400_on_every_operation(django_user_model, signed_in):
    client = APIClient()
    if signed_in:
        client.force_authenticate(django_user_model.objects.create_user("ana"))
    body = '{"name": ' + _nested(1000) + "}"
    for method, path in BODY_OPERATIONS:
        # Path ids are the literal parameter names: the limit answers before any URL lookup.
        response = client.generic(method, path, body, content_type="application/json")
        assert response.status_code == 400, (method, path, response.content[:200])
        assert response.json() == {
            "detail": f"JSON nested too deeply: at most {MAX_JSON_DEPTH} levels."
        }


def test_the_limit_is_exact_and_brackets_in_strings_do_not_count():
    client = APIClient()
    at_limit = '{"username": ' + _nested(MAX_JSON_DEPTH - 1) + "}"
    response = client.post("/api/auth/login/", at_limit, content_type="application/json")
    assert response.status_code == 400 and "nested" not in response.json().get("detail", "")
    over = '{"username": ' + _nested(MAX_JSON_DEPTH) + "}"
    response = client.post("/api/auth/login/", over, content_type="application/json")
    assert "nested too deeply" in response.json()["detail"]
    quoted = json.dumps({"username": "[" * 500 + '\\"{' * 100, "password": "x"})
    response = client.post("/api/auth/login/", quoted, content_type="application/json")
    assert "nested" not in response.json().get("detail", "")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\n'),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\a', max_size=4), children, max_size=3)
    ),
    max_leaves=30,
)


def _reference_depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(_reference_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_reference_depth, value.values()), default=0)
    return 0


@given(_json)
def test_json_depth_agrees_with_the_parsed_structure(value):
    assert json_depth(json.dumps(value).encode()) == _reference_depth(value)


@pytest.mark.parametrize(
    "body",
    [b'"unterminated [[[', b"\\" * 1001, b'"' * 10_001, b"]]]]", b"", b'{"a": "\\\\"}[[' * 3],
)
def test_json_depth_never_fails_on_garbage(body):
    assert json_depth(body) >= 0


def test_too_many_form_fields_is_named_for_post_and_patch(settings, django_user_model):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user("ana"))
    data = "&".join(f"f{i}=1" for i in range(50))
    for method in ("POST", "PATCH"):
        response = client.generic(
            method, "/api/risk/profiles/", data, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "Too many form fields: at most 10."}


def test_too_many_files_is_named(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"f{i}": SimpleUploadedFile(f"f{i}.txt", b"x") for i in range(5)}
    response = APIClient().post("/api/auth/login/", files, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"detail": "Too many files: at most 2."}
