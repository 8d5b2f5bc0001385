"""/healthz and /readyz: JSON, no secrets, 503 naming what is not ready."""

from __future__ import annotations

import os

import pytest

from apps.ops import health
from apps.ops.redis_state import heartbeat_delete, heartbeat_write, ops_redis


def test_healthz_says_alive_without_touching_anything(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "alive"})


def test_readyz_checks_database_migrations_redis_and_broker(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "redis", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.fixture
def require_workers(settings):
    settings.OPS_READYZ_REQUIRE_WORKERS = True
    client = ops_redis()
    for key in client.scan_iter(match="ops:worker:*"):
        client.delete(key)
    yield client
    for key in client.scan_iter(match="ops:worker:*"):
        client.delete(key)


def test_readyz_in_production_needs_a_live_worker_per_queue(client, db, require_workers):
    busy = ["bots", "ingest", "notifications"]
    heartbeat_write(require_workers, hostname="b@h", queues=busy, pid=os.getpid())
    response = client.get("/readyz")
    assert response.status_code == 503
    workers = response.json()["checks"]["workers"]
    assert workers == {"ok": False, "detail": "no live worker for queue(s) backtests"}
    heartbeat_write(require_workers, hostname="t@h", queues=["backtests"], pid=os.getpid())
    assert client.get("/readyz").status_code == 200
    heartbeat_delete(require_workers, hostname="t@h")  # a worker that stopped
    assert client.get("/readyz").status_code == 503


def test_an_unreachable_broker_is_named_without_its_url(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://:hunter2@127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {
        "ok": False,
        "detail": "unreachable: ConnectionError",
    }
    assert b"hunter2" not in response.content and b"127.0.0.1" not in response.content


def test_pending_migrations_make_the_process_unready(client, db, monkeypatch):
    from django.db.migrations.recorder import MigrationRecorder

    monkeypatch.setattr(health, "_migrations_applied", False)  # as in a freshly started process
    # Unrecord ops' latest migration (rolled back with the test's transaction): it is now pending.
    latest = MigrationRecorder.Migration.objects.filter(app="ops").order_by("-name")[0]
    MigrationRecorder.Migration.objects.filter(pk=latest.pk).delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "ok": False,
        "detail": "1 migrations not applied",
    }
