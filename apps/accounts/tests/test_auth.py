"""Sign-up, login (session, CSRF), logout, log out everywhere, me."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, UserSession

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username="ana", password=PASSWORD):
    return client.post("/api/auth/login/", {"username": username, "password": password})


def test_login_opens_a_session_and_returns_no_token(user, csrf_client):
    response = login(csrf_client)
    assert response.status_code == 200
    assert response.json() == {
        "user": {"id": user.pk, "username": "ana", "email": "ana@example.org", "is_staff": False}
    }
    assert "token" not in response.content.decode()
    assert response.cookies["sessionid"]["httponly"]
    assert csrf_client.get("/api/auth/me/").json()["username"] == "ana"
    assert UserSession.objects.get(user=user)  # the session knows its user


def test_login_without_the_csrf_token_is_refused(user):
    client = APIClient(enforce_csrf_checks=True)
    response = login(client)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert client.get("/api/auth/me/").status_code in (401, 403)
    assert not UserSession.objects.exists()


def test_login_from_a_cross_site_origin_is_refused(user, csrf_client):
    response = csrf_client.post(
        "/api/auth/login/",
        {"username": "ana", "password": PASSWORD},
        HTTP_ORIGIN="https://evil.example",
        secure=True,
    )
    assert response.status_code == 403
    assert "Origin" in response.json()["detail"] or "CSRF" in response.json()["detail"]


def test_wrong_password_is_400_without_a_session(user, csrf_client):
    response = login(csrf_client, password="nope")
    assert response.status_code == 400
    assert "Invalid username or password" in response.json()["detail"]
    assert csrf_client.get("/api/auth/me/").status_code in (401, 403)


def test_missing_field_is_named(user, csrf_client):
    response = csrf_client.post("/api/auth/login/", {"username": "ana"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_me_requires_login():
    assert APIClient().get("/api/auth/me/").status_code in (401, 403)


def test_logout_ends_this_session_only(user, csrf_client):
    other_browser = APIClient()
    assert login(other_browser).status_code == 200
    login(csrf_client)
    csrf_client.credentials(HTTP_X_CSRFTOKEN=csrf_client.cookies["csrftoken"].value)
    assert csrf_client.post("/api/auth/logout/").status_code == 204
    assert csrf_client.get("/api/auth/me/").status_code in (401, 403)
    assert other_browser.get("/api/auth/me/").status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1


def test_logout_with_a_token_revokes_that_token_only(user):
    ApiToken.objects.create(user=user, name="a")
    _, second_key = ApiToken.objects.create(user=user, name="b")
    browser = APIClient()
    login(browser)
    token_client = APIClient()
    row, key = ApiToken.objects.create(user=user, name="c")
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert token_client.post("/api/auth/logout/").status_code == 204
    assert token_client.get("/api/auth/me/").status_code == 401
    assert not ApiToken.objects.filter(pk=row.pk).exists()
    assert ApiToken.objects.filter(user=user).count() == 2
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {second_key}")
    assert other.get("/api/auth/me/").status_code == 200
    assert browser.get("/api/auth/me/").status_code == 200


def test_logout_everywhere_ends_every_session_and_token(user, db):
    bob = get_user_model().objects.create_user("bob", password=PASSWORD)
    browsers = [APIClient() for _ in range(3)]
    for browser in browsers:
        assert login(browser).status_code == 200
    bobs_browser = APIClient()
    login(bobs_browser, "bob")
    keys = [ApiToken.objects.create(user=user, name=f"bot {i}")[1] for i in range(2)]
    _, bobs_key = ApiToken.objects.create(user=bob, name="bob's")

    assert browsers[0].post("/api/auth/logout-all/").status_code == 204

    for browser in browsers:
        assert browser.get("/api/auth/me/").status_code in (401, 403)
    for key in keys:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get("/api/auth/me/").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    assert not UserSession.objects.filter(user=user).exists()
    # another user is untouched
    assert bobs_browser.get("/api/auth/me/").status_code == 200
    bobs = APIClient()
    bobs.credentials(HTTP_AUTHORIZATION=f"Token {bobs_key}")
    assert bobs.get("/api/auth/me/").status_code == 200


def test_logout_everywhere_by_token_works_too(user):
    browser = APIClient()
    login(browser)
    _, key = ApiToken.objects.create(user=user, name="cli")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post("/api/auth/logout-all/").status_code == 204
    assert browser.get("/api/auth/me/").status_code in (401, 403)
    assert client.get("/api/auth/me/").status_code == 401


# --- sign-up ----------------------------------------------------------------------------------


def signup(client, **overrides):
    body = {"username": "carla", "email": "carla@example.org", "password": PASSWORD, **overrides}
    return client.post("/api/auth/signup/", body, format="json")


def test_signup_creates_the_account_and_signs_it_in(csrf_client):
    response = signup(csrf_client)
    assert response.status_code == 201
    created = get_user_model().objects.get(username="carla")
    assert response.json() == {
        "user": {
            "id": created.pk,
            "username": "carla",
            "email": "carla@example.org",
            "is_staff": False,
        }
    }
    assert not created.is_staff and not created.is_superuser
    assert created.check_password(PASSWORD)
    assert csrf_client.get("/api/auth/me/").json()["username"] == "carla"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1", "too short"),
        ("password123", "too common"),
        ("73619481726354", "entirely numeric"),
        ("carla-example", "too similar"),
    ],
)
def test_signup_applies_the_password_validators(csrf_client, password, message):
    response = signup(csrf_client, password=password)
    assert response.status_code == 400
    assert any(message in text for text in response.json()["password"])
    assert not get_user_model().objects.filter(username="carla").exists()


def test_signup_names_each_bad_field(csrf_client, user):
    response = signup(csrf_client, username="ANA", email="not-an-email")
    assert response.status_code == 400
    assert set(response.json()) == {"email"}  # the serializer stops at the email first
    response = signup(csrf_client, username="ANA")
    assert response.status_code == 400
    assert response.json()["username"] == ["This username is taken."]
    response = signup(csrf_client, username="bad name!")
    assert response.status_code == 400 and "username" in response.json()


def test_signup_needs_the_csrf_token():
    response = signup(APIClient(enforce_csrf_checks=True))
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="carla").exists()
