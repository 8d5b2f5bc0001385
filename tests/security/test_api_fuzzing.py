"""Property-based fuzzing of every operation in the OpenAPI schema (schemathesis): whatever a
client sends, the API never answers 5xx, and every error has a JSON body.

Bounded: FUZZ_EXAMPLES cases per operation (default 25; raise it locally for a deeper run, e.g.
FUZZ_EXAMPLES=500 pytest tests/security/test_api_fuzzing.py). One test per operation, named after
it: schemathesis' own `parametrize` gives all of them one test id under pytest 9, and pytest-xdist
(`make test`) would then run a single operation of the 59."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import schemathesis
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from apps.accounts.models import ApiToken
from apps.datafeeds.models import Symbol
from apps.datafeeds.storage import candles_upsert
from apps.datafeeds.times import parse_time_ms
from config.wsgi import application

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
OPERATIONS = {op.label: op for op in (result.ok() for result in schema.get_all_operations())}


@schemathesis.check
def error_bodies_are_json(ctx, response, case) -> bool | None:
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/json"), (
            f"{response.status_code} answered with {content_type!r}: {response.content[:200]!r}"
        )
        json.loads(response.content)
    return None


@pytest.fixture
def market(db) -> None:
    """Something to find: BTCUSDT with a day of 5m candles."""
    symbol = Symbol.objects.create(
        exchange="binance", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )
    times = parse_time_ms("2024-01-01") + np.arange(288, dtype=np.int64) * 300_000
    rows = np.column_stack([times, *(np.full(288, 100.0),) * 4, np.ones(288)])
    candles_upsert(symbol=symbol, timeframe="5m", rows=rows)


@pytest.fixture
def in_test_transaction():
    """Requests go straight to the WSGI app: keep Django from closing the test's connection at
    the end of each one (what django.test.Client does too)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzzer(db):
    return get_user_model().objects.create_user("fuzzer", password="Fuzz-fuzz-fuzz-1")


def test_every_operation_of_the_schema_is_fuzzed():
    assert len(OPERATIONS) >= 59 and "GET /api/datafeeds/candles/" in OPERATIONS


@pytest.mark.django_db
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_no_server_errors_and_json_error_bodies(operation, market, fuzzer, in_test_transaction):
    @given(case=OPERATIONS[operation].as_strategy())
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=True,  # the same cases on every run: a failure reproduces
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        # A fresh token per case: a fuzzed logout or revocation must not silence the next cases.
        _, token = ApiToken.objects.create(user=fuzzer, name="fuzz")
        headers = {"Authorization": f"Token {token}", "X-CSRFToken": "x" * 32}
        response = case.call(headers=headers, cookies={"csrftoken": "x" * 32})
        case.validate_response(response, checks=[not_a_server_error, error_bodies_are_json])

    fuzz()


# --- Overflow and nesting, on every number of every request body --------------------------------

HOSTILE_NUMBERS = [10**400, -(10**400), 2**63, 1e308, -1e308, "1e400", "nan", "-inf", 1e-320]


def _body_numbers() -> list[tuple[str, str, str]]:
    """(method, path, property) for each top-level number of each JSON request body."""
    components = schema.raw_schema["components"]["schemas"]
    found = []
    for path, methods in schema.raw_schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            node = body["schema"]
            while "$ref" in node:
                node = components[node["$ref"].rsplit("/", 1)[-1]]
            for name, prop in node.get("properties", {}).items():
                while "$ref" in prop:
                    prop = components[prop["$ref"].rsplit("/", 1)[-1]]
                if prop.get("type") in ("number", "integer") and not prop.get("readOnly"):
                    found.append((method.upper(), path, name))
    return sorted(found)


BODY_NUMBERS = _body_numbers()


def test_the_overflow_cases_cover_the_bodies_numbers():
    assert ("POST", "/api/execution/bots/", "paper_capital") in BODY_NUMBERS
    assert ("PATCH", "/api/risk/profiles/{id}/", "leverage") in BODY_NUMBERS
    assert len(BODY_NUMBERS) >= 40


@pytest.mark.django_db
def test_overflowing_numbers_and_deep_nesting_are_never_a_server_error(market, fuzzer):
    """Each number of each body, alone, set to each hostile value (huge, tiny, NaN, infinite,
    as numbers and as strings), on objects the user owns; then each body nested 1,000 deep."""
    from rest_framework.test import APIClient

    from apps.execution.services.bots import bot_create
    from apps.risk.services import risk_profile_create

    client = APIClient()
    client.force_authenticate(fuzzer)
    owned = {
        "/api/risk/profiles/{id}/": risk_profile_create(owner=fuzzer, name="p").pk,
        "/api/execution/bots/{id}/": bot_create(
            owner=fuzzer,
            name="b",
            strategy="ema-cross",
            symbol=Symbol.objects.get(name="BTCUSDT"),
            params={"fast_period": 5, "slow_period": 10},
        ).pk,
    }
    checked = 0
    for method, path, name in BODY_NUMBERS:
        url = path.replace("{id}", str(owned.get(path, 1)))
        for value in HOSTILE_NUMBERS:
            response = client.generic(method, url, json.dumps({name: value}), "application/json")
            assert response.status_code < 500, (method, path, name, value, response.content[:300])
            checked += 1
        nested = json.dumps({name: [[[0]]]}).replace("[[[0]]]", "[" * 1000 + "]" * 1000)
        response = client.generic(method, url, nested, "application/json")
        assert response.status_code == 400, (method, path, response.content[:300])
    assert checked >= 40 * len(HOSTILE_NUMBERS)
