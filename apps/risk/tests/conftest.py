from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient


@pytest.fixture
def ana(db):
    return get_user_model().objects.create_user("ana", password="pw-ana-123")


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", password="pw-bob-123")


def _client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def client(ana) -> APIClient:
    """Signed in as ana."""
    return _client(ana)


@pytest.fixture
def bob_client(bob) -> APIClient:
    return _client(bob)
