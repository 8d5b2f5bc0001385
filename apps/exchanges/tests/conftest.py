"""Fixtures of the exchanges tests: the emulator (real ccxt, real candles), users, API clients."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from emulator import ExchangeEmulator

# Distinctive values, easy to find anywhere they should not be.
API_KEY = "EmuKeyZq7XwA1b2"
SECRET = "Sup3rS3cret-zq7x-ONLY-in-the-emulator"
_keys = itertools.count(1)


def leak_patterns(*values: str) -> list[str]:
    """A secret as it could leak: plain, and base64 (standard and url-safe)."""
    found = []
    for value in values:
        raw = value.encode()
        found += [value, base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()]
    return found


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """No bucket or back-off left over from another test (the limiter's Redis keys)."""
    client = redis.Redis.from_url(django_settings.REDIS_URL)

    def clear() -> None:
        keys = list(client.scan_iter("ratelimit:*"))
        if keys:
            client.delete(*keys)

    clear()
    yield
    clear()


@pytest.fixture
def emulator(module_emulator: ExchangeEmulator, settings) -> Iterator[ExchangeEmulator]:
    """The emulator with a fresh account (API_KEY/SECRET: 10000 USDT, 1 BTC), ccxt pointed at it."""
    emu = module_emulator
    emu.reset()  # the wall clock: every candle of the file is closed
    emu.account_create(API_KEY, SECRET, {"USDT": "10000", "BTC": "1"})
    settings.EXCHANGE_API_HOSTS = {"binance": emu.url}
    yield emu
    emu.clear_faults()


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("trader", password="pw-trader-1")


@pytest.fixture
def other_user(db):
    return get_user_model().objects.create_user("intruder", password="pw-intruder-1")


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def other_api(other_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(other_user)
    return client


def account_payload(**overrides) -> dict:
    return {
        "label": f"Main {next(_keys)}",
        "exchange": "binance",
        "environment": "live",
        "api_key": API_KEY,
        "secret": SECRET,
        **overrides,
    }
