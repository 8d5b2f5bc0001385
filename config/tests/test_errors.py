"""Every error under /api/ has a JSON body, Django's own included (unknown URL, method, CSRF,
oversized or malformed body, server error); pages outside the API keep Django's HTML."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body  # {"detail": ...} or DRF's {field: [messages]}
    return body


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_url_is_a_json_404(settings, django_user_model, debug):
    settings.DEBUG = debug
    assert_json_error(APIClient().get("/api/no-such-thing/"), 404)
    signed_in = APIClient()
    signed_in.force_authenticate(django_user_model.objects.create_user("ana"))
    assert_json_error(signed_in.get("/api/analytics/backtests/99999999999999999999/"), 404)


def test_wrong_method_is_a_json_405_with_allow():
    response = APIClient().delete("/api/datafeeds/symbols/")
    assert_json_error(response, 405)
    assert "GET" in response["Allow"]


def test_an_oversized_body_is_a_json_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = APIClient().post(
        "/api/auth/login/", {"username": "x" * 2000, "password": "y"}, format="json"
    )
    body = assert_json_error(response, 413)
    assert body["detail"] == "Request body too large: at most 1000 bytes."


def test_too_many_form_fields_is_a_json_400(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = "&".join(f"f{i}=1" for i in range(50))
    response = APIClient().post(
        "/api/auth/login/", data, content_type="application/x-www-form-urlencoded"
    )
    assert_json_error(response, 400)


def test_malformed_json_is_a_json_400():
    response = APIClient().post("/api/auth/login/", "{not json", content_type="application/json")
    assert "JSON parse error" in assert_json_error(response, 400)["detail"]


def test_a_csrf_failure_is_a_json_403_with_the_reason():
    response = APIClient(enforce_csrf_checks=True).post(
        "/api/auth/login/", {"username": "a", "password": "b"}
    )
    assert "CSRF" in assert_json_error(response, 403)["detail"]


@pytest.mark.parametrize("debug", [False, True])
def test_a_server_error_is_a_json_500(monkeypatch, settings, debug):
    from apps.datafeeds import views

    settings.DEBUG = debug

    def broken():
        raise RuntimeError("database exploded")

    monkeypatch.setattr(views, "symbols_with_coverage", broken)
    client = APIClient(raise_request_exception=False)
    body = assert_json_error(client.get("/api/datafeeds/symbols/"), 500)
    assert "exploded" not in str(body)  # nothing internal leaks


def test_pages_outside_the_api_keep_html(settings):
    settings.DEBUG = False
    response = APIClient().get("/admin/no-such-page/")
    assert response.status_code in (302, 404)
    assert not response.get("Content-Type", "").startswith("application/json")
