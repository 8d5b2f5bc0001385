"""The API key and secret never leave the encrypted columns in readable form: not in API
responses, not in DEBUG logs (ccxt's verbose output and exceptions included), not in Celery task
arguments or results, not in the database (each scanned for the value and its base64)."""

from __future__ import annotations

import json
import logging
import subprocess
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from apps.exchanges.models import ExchangeAccount
from apps.exchanges.redaction import REDACTED, redact
from apps.exchanges.tasks import exchange_account_check_task
from config.celery import app
from tests.workers import celery_worker_argv

from .conftest import API_KEY, SECRET, account_payload, leak_patterns

URL = "/api/exchanges/accounts/"
WRONG_SECRET = "Wr0ng-Secret-Kq93-also-distinctive"


def _assert_clean(text: str, where: str) -> None:
    for pattern in leak_patterns(SECRET, API_KEY, WRONG_SECRET):
        assert pattern not in text, f"{pattern!r} leaked into {where}"


def _database_text() -> str:
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT CAST(t AS text) FROM "{table}" t')
            rows += [row[0] for row in cursor.fetchall()]
    return "\n".join(rows)


@pytest.mark.django_db
def test_secret_never_in_responses_logs_or_database(api, emulator, settings, caplog) -> None:
    settings.EXCHANGE_CCXT_VERBOSE = True  # ccxt prints every request and response
    caplog.set_level(logging.DEBUG)
    bodies = []
    created = api.post(URL, account_payload(label="Main"), format="json")
    bodies.append(created.content)
    account_id = created.json()["id"]
    detail = f"{URL}{account_id}/"
    for response in (
        api.get(URL),
        api.get(detail),
        api.post(f"{detail}check/"),
        api.patch(detail, {"secret": WRONG_SECRET}, format="json"),
        api.post(f"{detail}check/"),  # the exchange refuses: ccxt's exception path
        api.patch(detail, {"secret": SECRET, "label": "Main again"}, format="json"),
        api.post(f"{detail}check/"),
    ):
        assert response.status_code == 200, response.content
        bodies.append(response.content)
    assert json.loads(bodies[3])["ok"] is True and json.loads(bodies[5])["ok"] is False
    _assert_clean(b"\n".join(bodies).decode(), "API responses")

    logged = caplog.text
    assert "fetch Request" in logged and "X-MBX-APIKEY" in logged  # ccxt's verbose went to logs
    assert f"'X-MBX-APIKEY': '{REDACTED}'" in logged
    _assert_clean(logged, "DEBUG logs")
    _assert_clean(_database_text(), "the database")
    stored = ExchangeAccount.objects.get(pk=account_id)
    assert stored.secret_encrypted.startswith("gAAAA")  # a Fernet token


@pytest.mark.django_db
def test_exceptions_and_log_arguments_are_redacted(api, emulator, caplog) -> None:
    api.post(URL, account_payload(), format="json")  # registers the values as secrets
    logger = logging.getLogger("apps.exchanges.tests")
    with caplog.at_level(logging.DEBUG):
        try:
            raise RuntimeError(f"boom with {SECRET} inside")
        except RuntimeError:
            logger.exception("request failed for key %s", API_KEY)
        logger.debug("headers %s", {"X-MBX-APIKEY": "abc123abc", "signature": "f00f00"})
        logger.debug("GET /api/v3/account?timestamp=1&signature=deadbeef&apiKey=zzz")
    _assert_clean(caplog.text, "logs")
    assert "boom with *** inside" in caplog.text and "key ***" in caplog.text
    assert "deadbeef" not in caplog.text and "abc123abc" not in caplog.text
    assert "f00f00" not in caplog.text and "apiKey=***" in caplog.text


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "Bad signature: the secret does not belong to this API key (signature invalid)"
    assert redact(text) == text


@pytest.fixture
def worker(python, subprocess_env, transactional_db, tmp_path, emulator):
    """A real Celery worker (solo pool) at DEBUG level, ccxt verbose, logging to a file."""
    app.control.purge()
    log_path = tmp_path / "worker.log"
    argv, hostname = celery_worker_argv(python, name="exchanges", loglevel="debug")
    env = {
        **subprocess_env,
        "EXCHANGE_API_HOSTS": json.dumps({"binance": emulator.url}),
        "EXCHANGE_CCXT_VERBOSE": "true",
        "LOG_LEVEL": "DEBUG",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=env["PYTHONPATH"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield process, hostname, log_path
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def _redis_dump(url: str) -> str:
    client = redis.Redis.from_url(url)
    parts = []
    for key in client.scan_iter("*"):
        kind = client.type(key)
        if kind == b"string":
            parts.append(repr(client.get(key)))
        elif kind == b"list":
            parts += [repr(item) for item in client.lrange(key, 0, -1)]
        elif kind == b"hash":
            parts.append(repr(client.hgetall(key)))
    return "\n".join(parts)


def test_celery_task_takes_the_id_and_returns_no_secret(api, worker, emulator) -> None:
    process, hostname, log_path = worker
    account_id = api.post(URL, account_payload(), format="json").json()["id"]
    result = exchange_account_check_task.delay(account_id)
    queued = _redis_dump(django_settings.CELERY_BROKER_URL)  # the message, before it runs
    assert str(account_id) in queued
    _assert_clean(queued, "the broker message")
    deadline = time.monotonic() + 30
    while not app.control.ping(destination=[hostname], timeout=0.5):
        assert time.monotonic() < deadline and process.poll() is None, log_path.read_text()
    answer = result.get(timeout=30)
    assert answer["ok"] is True and answer["balances"]["USDT"]["total"] == "10000"
    _assert_clean(json.dumps(answer), "the task result")
    _assert_clean(_redis_dump(django_settings.CELERY_RESULT_BACKEND), "the result backend")
    logged = log_path.read_text()
    assert "fetch Request" in logged  # the worker logged ccxt's traffic at DEBUG
    _assert_clean(logged, "the worker's DEBUG log")
    assert ExchangeAccount.objects.get(pk=account_id).last_check_ok is True


@pytest.mark.django_db
def test_admin_shows_no_credentials(api, client, django_user_model) -> None:
    account_id = api.post(URL, account_payload(), format="json").json()["id"]
    admin = django_user_model.objects.create_superuser("root", password="pw-root-123")
    client.force_login(admin)
    page = client.get(f"/admin/exchanges/exchangeaccount/{account_id}/change/")
    assert page.status_code == 200 and "...A1b2" in page.content.decode()
    _assert_clean(page.content.decode(), "the admin")
    assert "gAAAA" not in page.content.decode()  # not even the Fernet tokens
