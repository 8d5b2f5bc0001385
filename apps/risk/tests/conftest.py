"""Risk API tests sign in as ana; bob is the other user (root conftest)."""

import pytest


@pytest.fixture
def client(ana_client):
    """This app's API tests sign in as ana (the root conftest's users)."""
    return ana_client
