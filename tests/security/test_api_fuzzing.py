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
