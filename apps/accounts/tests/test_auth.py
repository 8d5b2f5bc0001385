import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user("ana", password="s3cret-pass")


def test_login_opens_a_session_and_returns_a_token(user):
    client = APIClient()
    response = client.post("/api/auth/login/", {"username": "ana", "password": "s3cret-pass"})
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "ana"
    assert client.get("/api/auth/me/").json()["username"] == "ana"  # by session
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert token_client.get("/api/auth/me/").json()["username"] == "ana"


def test_wrong_password_is_400_without_a_session(user):
    client = APIClient()
    response = client.post("/api/auth/login/", {"username": "ana", "password": "nope"})
    assert response.status_code == 400
    assert "Invalid username or password" in response.json()["detail"]
    assert client.get("/api/auth/me/").status_code in (401, 403)


def test_missing_field_is_named(user):
    response = APIClient().post("/api/auth/login/", {"username": "ana"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_me_requires_login():
    assert APIClient().get("/api/auth/me/").status_code in (401, 403)


def test_logout_closes_the_session_and_revokes_the_token(user):
    client = APIClient()
    token = client.post("/api/auth/login/", {"username": "ana", "password": "s3cret-pass"}).json()[
        "token"
    ]
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert token_client.post("/api/auth/logout/").status_code == 204
    assert token_client.get("/api/auth/me/").status_code == 401
