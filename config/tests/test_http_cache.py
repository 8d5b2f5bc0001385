"""config/http_cache.py: the gzip rule (BREACH) on a real middleware chain."""

import gzip

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny

from config.http_cache import PublicGzipMiddleware, RenderedAnswer, answer_response

ANSWER = {"candles": [{"time": t, "close": 100.5 + t} for t in range(200)]}


def chain(view):
    """Gzip outside sessions and CSRF, as in settings.MIDDLEWARE."""
    return PublicGzipMiddleware(SessionMiddleware(CsrfViewMiddleware(view)))


def drf_view(body):
    """A DRF view answering `body(request)`, rendered as Django's handler renders it."""
    view = api_view(["GET"])(authentication_classes([])(permission_classes([AllowAny])(body)))
    return lambda request: view(request).render()


@drf_view
def public_view(request):
    return answer_response(request, RenderedAnswer.of(ANSWER), public=True)


@pytest.mark.django_db
def test_a_signed_in_answer_carrying_a_csrf_cookie_is_not_compressed():
    user = get_user_model().objects.create_user("ana", password="pw-ana-123")

    @drf_view
    def view_issuing_a_csrf_token(request):
        get_token(request._request)  # e.g. a page that hands the browser its CSRF token
        return answer_response(request, RenderedAnswer.of(ANSWER), public=True)

    request = RequestFactory().get("/api/x/", headers={"accept-encoding": "gzip"})
    request.user = user
    response = chain(view_issuing_a_csrf_token)(request)
    assert "csrftoken" in response.cookies
    assert "Content-Encoding" not in response
    assert response.content == RenderedAnswer.of(ANSWER).body


def test_a_public_cookie_free_answer_is_compressed_and_private_ones_never():
    request = RequestFactory().get("/api/x/", headers={"accept-encoding": "gzip"})
    response = chain(public_view)(request)
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == RenderedAnswer.of(ANSWER).body
    assert response["Content-Length"] == str(len(response.content))

    @drf_view
    def private_view(request):
        return answer_response(request, RenderedAnswer.of(ANSWER), public=False)

    private = chain(private_view)(RequestFactory().get("/", headers={"accept-encoding": "gzip"}))
    assert "Content-Encoding" not in private
    assert private["Cache-Control"] == "private, no-cache"


def test_the_etag_follows_the_content():
    one, same, other = (RenderedAnswer.of(x) for x in (ANSWER, dict(ANSWER), {"candles": []}))
    assert one.etag == same.etag != other.etag
    request = RequestFactory().get("/", headers={"if-none-match": f'"x", {one.etag}'})
    assert answer_response(request, one, public=True).status_code == 304
    assert answer_response(request, other, public=True).status_code == 200
