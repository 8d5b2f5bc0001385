"""Recovery that does not wait for the broker, with real processes on the production settings:
gunicorn (uvicorn workers), Celery workers (`apps.analytics.tests.worker_app`: the project's app,
its backtests slowed down inside the engine so that a kill or an outage lands mid-run), and
celery beat running the sweeper.

Durations shortened by settings the test sets (and only those): OPS_LEASE_SECONDS=3,
OPS_HEARTBEAT_SECONDS=0.5, OPS_HEARTBEAT_TTL_SECONDS=2, OPS_SWEEP_SECONDS=1,
OPS_BEAT_LOCK_SECONDS=3, BACKTEST_RETRY_BACKOFF_SECONDS=1 and DJANGO_DB_POOL_TIMEOUT=2 (so the
task spends its retries within ~15 s instead of ~75 s: the outage is 20 s instead of 150 s).
The broker's visibility timeout stays at its production value (one hour): nothing here is
recovered by Redis redelivering a message.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import psycopg
import pytest
import requests
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from apps.accounts.services import api_token_create
from apps.analytics.models import BacktestRun, BacktestStatus
from apps.analytics.services import backtest_run_create
from apps.analytics.tests.expected import assert_stored_equals, engine_on_file_candles
from apps.analytics.tests.test_workers import (
    APRIL,
    MAY,
    assert_each_stored_once,
    sweep_of_eight,
)
from apps.ops.tests.processes import Processes, free_port, production_env, wait_http
from config.celery import app

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SHORTENED = {
    "OPS_LEASE_SECONDS": "3",
    "OPS_HEARTBEAT_SECONDS": "0.5",
    "OPS_HEARTBEAT_TTL_SECONDS": "2",
    "OPS_SWEEP_SECONDS": "1",
    "OPS_BEAT_LOCK_SECONDS": "3",
    "BACKTEST_RETRY_BACKOFF_SECONDS": "1",
    "DJANGO_DB_POOL_TIMEOUT": "2",
}
OUTAGE_SECONDS = 20
RECOVERY_LIMIT = 120  # seconds after the kill, plus the runs' own time
HTTPS = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy says


@pytest.fixture
def stack(python, subprocess_env, transactional_db, tmp_path):
    app.control.purge()
    redis = app.connection_for_write().default_channel.client
    for key in redis.scan_iter(match="ops:*"):
        redis.delete(key)
    port = free_port()
    env = production_env(subprocess_env, port=port, TEST_ENGINE_DELAY="1.0", **SHORTENED)
    processes = Processes(tmp_path, cwd=subprocess_env["PYTHONPATH"])
    celery = [python, "-m", "celery"]
    worker = [*celery, "-A", "apps.analytics.tests.worker_app", "worker", "--pool", "solo"]
    worker += ["--without-gossip", "--without-mingle", "--loglevel", "info"]
    # The victim prefetches 4 (as a worker started without the production flag would), so it
    # dies holding messages it never started, besides the run it executes.
    processes.start("victim", [*worker, "-Q", "backtests", "-n", "victim@test",
                               "--prefetch-multiplier", "4"], env)  # fmt: skip
    processes.start("survivor", [*worker, "-Q", "backtests", "-n", "survivor@test",
                                 "--prefetch-multiplier", "1"], env)  # fmt: skip
    processes.start("ops", [*worker, "-Q", "bots,ingest,notifications", "-n", "ops@test"], env)
    # Both beats are given a schedule file in a folder that does not exist (a fresh clone has
    # no var/): the scheduler keeps its schedule in memory and never opens it.
    beat = [*celery, "-A", "config", "beat", "--loglevel", "info"]
    beat += ["--schedule", str(tmp_path / "missing" / "celerybeat-schedule")]
    processes.start("beat", beat, env)
    processes.start("beat2", beat, env)
    web = [python, "-m", "gunicorn", "config.asgi:application", "--config", "config/gunicorn.py"]
    processes.start("web", web, {**env, "WEB_CONCURRENCY": "1"})
    processes.url = f"http://127.0.0.1:{port}"
    processes.env = env
    yield processes
    processes.stop_all()
    app.control.purge()


def scrape(stack: Processes) -> dict[tuple, float]:
    token = stack.env["OPS_METRICS_TOKEN"]
    response = requests.get(
        f"{stack.url}/metrics", headers={**HTTPS, "Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def requeued(stack: Processes, reason: str) -> float:
    key = ("ops_work_requeued_total", frozenset({"task": "analytics.backtest_run_task",
                                                  "reason": reason}.items()))  # fmt: skip
    return scrape(stack).get(key, 0.0)


def wait_until(condition, *, timeout: float, stack: Processes, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what} not within {timeout} s\n{stack.output()}")
        time.sleep(0.1)
    return time.monotonic() - started


def database_outage(name: str, *, allow: bool) -> None:
    """ALLOW_CONNECTIONS false + terminating every backend: the database is gone for everyone."""
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )


def test_work_survives_a_killed_worker_and_a_database_outage(stack, ana, btc, files):  # noqa: F811
    wait_http(f"{stack.url}/readyz", status=200, timeout=60, processes=stack, headers=HTTPS)
    _, token = api_token_create(user=ana, name="recovery", ttl=timedelta(days=1), limit=None)
    api = {**HTTPS, "Authorization": f"Token {token}"}

    # 1) SIGKILL of a worker's main process mid-sweep.
    sweep = sweep_of_eight(ana, btc)
    runs = list(sweep.runs.order_by("id"))
    in_progress = sweep.runs.filter(status=BacktestStatus.RUNNING, worker="victim@test")
    wait_until(in_progress.exists, timeout=60, stack=stack, what="the victim claiming a run")
    victim_run = in_progress.get()
    os.kill(stack.running["victim"].pid, signal.SIGKILL)
    killed_at = time.monotonic()
    stack.running.pop("victim").wait(timeout=10)

    pending = BacktestRun.objects.filter(
        pk__in=[run.pk for run in runs], status__in=(BacktestStatus.QUEUED, BacktestStatus.RUNNING)
    )
    runs_own_time = 8 * 1.5  # every run once on the survivor, engine delay included
    wait_until(lambda: not pending.exists(), timeout=RECOVERY_LIMIT + runs_own_time, stack=stack,
               what="the sweep finishing")  # fmt: skip
    recovered_in = time.monotonic() - killed_at
    assert_each_stored_once(runs, files)
    victim_run.refresh_from_db()
    assert (victim_run.attempts, victim_run.worker) == (2, "survivor@test")
    assert requeued(stack, "worker_dead") >= 1  # its prefetched, never started messages
    print(f"sweep finished {recovered_in:.1f} s after the kill")

    # 2) A database outage right after a run was claimed: the task gives up (its retries end
    # within the outage, its message acknowledged), the run's lease expires, the sweeper sends
    # it again once the database is back.
    for _ in range(3):  # the web server's pool holds connections from before the outage
        assert requests.get(f"{stack.url}/api/analytics/backtests/", headers=api).status_code == 200
    failures_before = _task_failures(stack)
    run = backtest_run_create(
        owner=ana, strategy="hma-sma", symbol=btc, start_ms=APRIL, end_ms=MAY,
        config={"stop_loss": 0.02},
    )  # fmt: skip
    claimed = BacktestRun.objects.filter(pk=run.pk, status=BacktestStatus.RUNNING)
    wait_until(claimed.exists, timeout=30, stack=stack, what="the run being claimed")
    name = connection.settings_dict["NAME"]
    database_outage(name, allow=False)
    try:
        time.sleep(OUTAGE_SECONDS)
    finally:
        database_outage(name, allow=True)
    connection.close()  # ours was terminated too
    # No 500 from a stale pooled connection, from the very first request.
    statuses = [
        requests.get(f"{stack.url}/api/analytics/backtests/", headers=api).status_code
        for _ in range(10)
    ]
    assert statuses == [200] * 10
    finished = BacktestRun.objects.filter(pk=run.pk, status=BacktestStatus.DONE)
    wait_until(finished.exists, timeout=60, stack=stack, what="the run recovered after the outage")
    assert_stored_equals(run, engine_on_file_candles(run, files))
    run.refresh_from_db()
    assert run.attempts == 2  # claimed before the outage, and once more after the sweep
    assert _task_failures(stack) > failures_before  # the task did give up during the outage
    assert requeued(stack, "lease_expired") >= 1

    # 3) Two beats were started (by mistake): one sends, the other stands by; it takes over
    # when the first one stops.
    sends = "Sending due task"
    active = next(name for name in ("beat", "beat2") if sends in stack.log(name))
    standby = "beat2" if active == "beat" else "beat"
    assert "standing by" in stack.log(standby) and sends not in stack.log(standby)
    stack.stop(active)
    wait_until(lambda: stack.log(standby).count(sends) >= 2, timeout=30, stack=stack,
               what="the standby beat taking over")  # fmt: skip


def _task_failures(stack: Processes) -> float:
    key = ("celery_tasks_total", frozenset({"task": "analytics.backtest_run_task",
                                             "outcome": "failure"}.items()))  # fmt: skip
    return scrape(stack).get(key, 0.0)


@pytest.fixture
def files(btc_5m_candles, btc_1h_candles, btc_4h_candles):  # noqa: F811
    return {"5m": btc_5m_candles, "1h": btc_1h_candles, "4h": btc_4h_candles}
