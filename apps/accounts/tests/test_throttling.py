"""Login lock-out (django-axes) per (username, address), the admin's included, the per-address
sign-in rate, and the DRF throttles for anonymous and signed-in clients: 429 in JSON with
Retry-After."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
LIMIT = 5  # settings.AXES_FAILURE_LIMIT


def login(password: str, username: str = "ana", ip: str = "10.0.0.1"):
    return APIClient().post(
        "/api/auth/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def assert_locked_out(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert "Too many failed sign-ins" in response.json()["detail"]


def test_the_right_password_is_refused_after_too_many_failures(user):
    for _ in range(LIMIT - 1):
        assert login("wrong").status_code == 400
    assert_locked_out(login("wrong"))  # the LIMIT-th failure is answered with the lock-out
    assert_locked_out(login(PASSWORD))


def test_a_lock_out_holds_one_account_at_one_address_only(user):
    """An office behind one address: one attacker's failures lock only the account they guess,
    from that address. A colleague's right password at the same address still signs in, and
    the owner signs in from elsewhere."""
    get_user_model().objects.create_user("bob", password=PASSWORD)
    for _ in range(LIMIT):
        login("wrong", ip="10.0.3.1")
    assert_locked_out(login(PASSWORD, ip="10.0.3.1"))
    assert login(PASSWORD, username="bob", ip="10.0.3.1").status_code == 200
    assert login(PASSWORD, ip="10.0.3.2").status_code == 200


def test_guesses_at_many_accounts_from_one_address_lock_none_of_the_others(user):
    for i in range(3 * LIMIT):
        assert login("wrong", username=f"guess{i}", ip="10.0.4.1").status_code == 400
    assert login(PASSWORD, ip="10.0.4.1").status_code == 200


def test_an_address_guessing_too_fast_is_slowed_not_locked_out(user, low_rates):
    """The per-address rate (`auth`, 2/minute here) throttles every sign-in from a guessing
    address for at most a minute; other addresses are untouched."""
    for i in range(2):
        assert login("wrong", username=f"guess{i}", ip="10.0.5.1").status_code == 400
    response = login(PASSWORD, ip="10.0.5.1")
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower()
    assert login(PASSWORD, ip="10.0.5.2").status_code == 200


def test_a_success_does_not_wipe_the_failures(user):
    for _ in range(LIMIT - 1):
        login("wrong")
    assert login(PASSWORD).status_code == 200  # under the limit: the owner gets in
    assert_locked_out(login("wrong"))  # but the failures still count


def test_token_creation_with_a_password_counts_towards_the_lock_out(user):
    for attempt in range(LIMIT):
        response = APIClient().post(
            "/api/auth/tokens/", {"name": "x", "username": "ana", "password": "wrong"}
        )
        assert response.status_code == (400 if attempt < LIMIT - 1 else 429)
    response = APIClient().post(
        "/api/auth/tokens/", {"name": "x", "username": "ana", "password": PASSWORD}
    )
    assert_locked_out(response)


def test_the_admin_login_is_locked_out_too(db):
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    browser = Client()
    for _ in range(LIMIT - 1):
        response = browser.post("/admin/login/", {"username": "root", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    assert browser.post("/admin/login/", {"username": "root", "password": "x"}).status_code == 429
    response = browser.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60


@pytest.fixture
def low_rates(monkeypatch, clean_throttles):
    # DRF binds the rates to the throttle classes at import: patch them where they are read.
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "3/minute", "user": "5/minute", "auth": "2/minute"},
    )


def test_anonymous_clients_are_throttled_per_address(low_rates, db):
    for _ in range(3):
        assert APIClient().get("/api/datafeeds/symbols/", REMOTE_ADDR="10.1.0.1").status_code == 200
    response = APIClient().get("/api/datafeeds/symbols/", REMOTE_ADDR="10.1.0.1")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower()
    assert APIClient().get("/api/datafeeds/symbols/", REMOTE_ADDR="10.1.0.2").status_code == 200


def test_signed_in_users_are_throttled_per_user(low_rates, user):
    client = APIClient()
    client.force_authenticate(user)
    for _ in range(5):
        assert client.get("/api/auth/me/").status_code == 200
    response = client.get("/api/auth/me/")
    assert response.status_code == 429 and "Retry-After" in response


def test_signup_and_login_have_their_own_lower_rate(low_rates, db):
    client = APIClient()
    for i in range(2):
        body = {"username": f"u{i}", "email": f"u{i}@example.org", "password": PASSWORD}
        assert client.post("/api/auth/signup/", body).status_code == 201
        client.logout()
    body = {"username": "u9", "email": "u9@example.org", "password": PASSWORD}
    response = client.post("/api/auth/signup/", body)
    assert response.status_code == 429 and "Retry-After" in response
    assert not get_user_model().objects.filter(username="u9").exists()


def test_a_forged_forwarded_for_does_not_escape_the_lock_out(user):
    """Without trusted proxies the socket's address counts: rotating X-Forwarded-For is no way
    around the lock-out of (account, address)."""
    for i in range(LIMIT):
        APIClient().post(
            "/api/auth/login/",
            {"username": "ana", "password": "wrong"},
            REMOTE_ADDR="10.2.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
    response = APIClient().post(
        "/api/auth/login/",
        {"username": "ana", "password": PASSWORD},
        REMOTE_ADDR="10.2.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert_locked_out(response)


def test_behind_trusted_proxies_the_address_they_saw_counts(rf, settings):
    from apps.accounts.lockout import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "10.0.0.9"  # no trusted proxy: the socket
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what our one proxy saw, not the forged hop
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
