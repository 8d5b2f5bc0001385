"""API tokens: one per client, shown once, stored hashed, expiring, revocable one by one."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def create(client, **body):
    return client.post("/api/auth/tokens/", {"name": "laptop bot", **body}, format="json")


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_is_created_with_the_password_shown_once_and_stored_hashed(user):
    response = create(APIClient(), username="ana", password=PASSWORD)
    assert response.status_code == 201
    body = response.json()
    token = body["token"]
    assert len(token) == 64 and body["name"] == "laptop bot"
    row = ApiToken.objects.get(pk=body["id"])
    assert token not in (row.digest, row.token_key) and len(row.digest) == 128  # SHA-512
    assert token.startswith(row.token_key) and body["token_key"] == row.token_key
    expiry = timezone.now() + timedelta(days=30)
    assert abs((row.expiry - expiry).total_seconds()) < 60
    assert bearer(token).get("/api/auth/me/").json()["username"] == "ana"
    listed = bearer(token).get("/api/auth/tokens/").json()
    assert [t["id"] for t in listed] == [row.pk]
    assert "token" not in listed[0] and "digest" not in listed[0]


def test_a_token_is_created_from_a_browser_session(user, csrf_client):
    csrf_client.post("/api/auth/login/", {"username": "ana", "password": PASSWORD})
    csrf_client.credentials(HTTP_X_CSRFTOKEN=csrf_client.cookies["csrftoken"].value)
    response = create(csrf_client, expires_in_days=7)
    assert response.status_code == 201
    row = ApiToken.objects.get(pk=response.json()["id"])
    assert abs((row.expiry - timezone.now() - timedelta(days=7)).total_seconds()) < 60


def test_a_token_cannot_create_tokens_and_anonymous_cannot_either(user):
    _, key = ApiToken.objects.create(user=user, name="cli")
    assert create(bearer(key)).status_code == 401
    assert create(APIClient()).status_code == 401
    assert ApiToken.objects.count() == 1


def test_a_wrong_password_creates_no_token(user):
    response = create(APIClient(), username="ana", password="wrong")
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    response = create(APIClient(), username="ana")
    assert response.status_code == 400 and "password" in response.json()


def test_tokens_are_revoked_one_by_one(user):
    rows = [ApiToken.objects.create(user=user, name=f"bot {i}") for i in range(3)]
    (first, first_key), (second, second_key), (_, third_key) = rows
    response = bearer(third_key).delete(f"/api/auth/tokens/{first.pk}/")
    assert response.status_code == 204
    assert bearer(first_key).get("/api/auth/me/").status_code == 401
    assert bearer(second_key).get("/api/auth/me/").status_code == 200
    assert bearer(third_key).delete(f"/api/auth/tokens/{first.pk}/").status_code == 404


def test_another_users_token_cannot_be_revoked_or_seen(user, django_user_model):
    bob = django_user_model.objects.create_user("bob", password=PASSWORD)
    bobs, bobs_key = ApiToken.objects.create(user=bob, name="bob's")
    _, key = ApiToken.objects.create(user=user, name="ana's")
    assert bearer(key).delete(f"/api/auth/tokens/{bobs.pk}/").status_code == 404
    assert [t["name"] for t in bearer(key).get("/api/auth/tokens/").json()] == ["ana's"]
    assert bearer(bobs_key).get("/api/auth/me/").status_code == 200


def test_an_expired_token_is_refused_and_deleted(user):
    row, key = ApiToken.objects.create(user=user, name="old", expiry=timedelta(days=1))
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert bearer(key).get("/api/auth/me/").status_code == 401
    assert not ApiToken.objects.filter(pk=row.pk).exists()


def test_the_number_of_tokens_per_user_is_limited(user, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    client = APIClient()
    for _ in range(2):
        assert create(client, username="ana", password=PASSWORD).status_code == 201
    response = create(client, username="ana", password=PASSWORD)
    assert response.status_code == 400
    assert "You have 2 API tokens, the most allowed" in response.json()["detail"]


def test_the_lifetime_asked_for_is_bounded(user):
    response = create(APIClient(), username="ana", password=PASSWORD, expires_in_days=10_000)
    assert response.status_code == 400 and "expires_in_days" in response.json()
