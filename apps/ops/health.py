"""Readiness checks: can this process serve? Each check answers (ok, detail); a detail names
what failed by its kind (an exception class, a missing queue), never a URL or a password."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .redis_state import _client, broker_redis, live_workers, ops_redis

CheckResult = tuple[bool, str]
_migrations_applied = False  # once true it stays true until the next deploy restarts us


def check_database() -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True, "reachable"


def check_migrations() -> CheckResult:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            return False, f"{len(pending)} migrations not applied"
        _migrations_applied = True
    return True, "applied"


def check_redis() -> CheckResult:
    if not settings.REDIS_REQUIRED:
        return True, "not used (embedded)"
    _client(settings.REDIS_URL).ping()
    return True, "reachable"


def check_broker() -> CheckResult:
    client = broker_redis()
    if client is None:
        return True, "embedded filesystem broker"
    client.ping()
    return True, "reachable"


def check_workers() -> CheckResult:
    client = ops_redis()
    if client is None:
        return True, "not checked (embedded)"
    served = {queue for info in live_workers(client).values() for queue in info["queues"]}
    missing = [queue for queue in settings.CELERY_QUEUE_NAMES if queue not in served]
    if missing:
        return False, f"no live worker for queue(s) {', '.join(missing)}"
    return True, f"every queue served ({len(served)} queues)"


def readiness() -> tuple[bool, dict[str, dict]]:
    checks: dict[str, Callable[[], CheckResult]] = {
        "database": check_database,
        "migrations": check_migrations,
        "redis": check_redis,
        "broker": check_broker,
    }
    if settings.OPS_READYZ_REQUIRE_WORKERS:
        checks["workers"] = check_workers
    results = {}
    for name, check in checks.items():
        try:
            ok, detail = check()
        except Exception as error:
            ok, detail = False, f"unreachable: {type(error).__name__}"
        results[name] = {"ok": ok, "detail": detail}
    return all(result["ok"] for result in results.values()), results
