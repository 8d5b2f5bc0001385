"""Django's catch-all serves the browser app's index.html for the app's own URLs only."""

from __future__ import annotations

import pytest

INDEX = b'<!doctype html><div id="root"></div><script src="/assets/index-abc.js"></script>'


@pytest.fixture
def built_app(settings, tmp_path):
    (tmp_path / "index.html").write_bytes(INDEX)
    settings.FRONTEND_DIST = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    "path",
    [
        "/backtests",
        "/backtests/",
        "/backtests/12",
        "/backtests/sweeps/3",
        "/login",
        "/signup",
        "/bots/7?tab=orders",
        "/no/such/page",
    ],
)
def test_app_paths_answer_the_app_index_uncached(client, built_app, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.content == INDEX
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/api/no-such-endpoint/",
        "/api",
        "/assets/missing-abc.js",
        "/static/missing.css",
        "/ws/backtests/",
    ],
)
def test_server_paths_never_fall_back_to_the_app(client, built_app, path):
    response = client.get(path)
    assert response.status_code == 404
    assert INDEX not in response.content


@pytest.mark.django_db
def test_api_and_admin_keep_their_views(client, built_app):
    assert client.get("/api/datafeeds/symbols/").status_code == 200
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]


def test_an_unbuilt_app_gets_the_landing_page_saying_how_to_build_it(client, settings, tmp_path):
    settings.FRONTEND_DIST = tmp_path / "missing"
    response = client.get("/backtests/12")
    assert response.status_code == 200
    assert b"npm run build" in response.content


def test_app_paths_refuse_writes(client, built_app):
    assert client.post("/backtests/12").status_code == 405
