import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

PASSWORD = "Correct-horse-battery-9"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("ana", email="ana@example.org", password=PASSWORD)


@pytest.fixture
def csrf_client() -> APIClient:
    """A browser: CSRF checks on, with the csrftoken cookie and header from /api/auth/csrf/."""
    client = APIClient(enforce_csrf_checks=True)
    response = client.get("/api/auth/csrf/")
    assert response.status_code == 200 and response.json() == {}
    client.credentials(HTTP_X_CSRFTOKEN=response.cookies["csrftoken"].value)
    return client


@pytest.fixture
def clean_throttles():
    """Throttle counters live in the shared cache: start and end each such test from zero."""
    cache.clear()
    yield
    cache.clear()
