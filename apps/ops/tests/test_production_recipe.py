"""The production recipe as an operator runs it (docs/operations.md): on a PostgreSQL database of
its own and Redis, with the production settings, `migrate`, `collectstatic`, `ops_prepare`, then
`honcho -f Procfile.production start` (gunicorn + uvicorn workers, a Celery worker per queue,
beat); /readyz, the HTTPS front door (redirect, HSTS, secure cookies; the admin, the API docs and
the browsable API, which 500 without collectstatic), a backtest end to end over the API, a
/metrics scrape, and a clean stop. One start serves every check: the suite's slowest set-up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis
import requests
from prometheus_client.parser import text_string_to_metric_families

from .processes import Processes, free_port, production_env, wait_http

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
CANDLES = ROOT.parent / "shared" / "data" / "binance_BTC-USDT_5m.csv.gz"
HTTPS = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy says
SETUP_USER = """
from django.contrib.auth import get_user_model
from datetime import timedelta
from apps.accounts.services import api_token_create
from apps.datafeeds.models import Symbol
user = get_user_model().objects.create_user("operator", password="a-long-password-1")
Symbol.objects.filter(name="BTCUSDT").update(tracked_timeframes=["5m"])
print(api_token_create(user=user, name="recipe", ttl=timedelta(days=1), limit=None)[1])
"""


@pytest.fixture
def recipe_database():
    name = f"{os.environ.get('DJANGO_DB_NAME', 'bot_trading')}_recipe"
    admin_dsn = "host=127.0.0.1 user=postgres dbname=postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture
def recipe_redis() -> dict[str, str]:
    """The two spare Redis databases of this test worker (config/settings/test.py: the two
    below its own), emptied: no other test's worker can take the recipe's messages, and the
    recipe leaves nothing behind for them. The cache shares the first with the channel layer,
    as a small production would (their keys never meet)."""
    server = urlsplit(os.environ["REDIS_URL"])
    spare = int(server.path.strip("/")) - 3
    urls = {
        "REDIS_URL": f"redis://{server.netloc}/{spare}",
        "CELERY_BROKER_URL": f"redis://{server.netloc}/{spare - 1}",
        "CELERY_RESULT_BACKEND": f"redis://{server.netloc}/{spare - 1}",
        "CACHE_URL": f"redis://{server.netloc}/{spare}",
    }
    flush = [redis.Redis.from_url(urls[key]).flushdb for key in ("REDIS_URL", "CELERY_BROKER_URL")]
    for step in flush:
        step()
    yield urls
    for step in flush:
        step()


def assert_https_front_door(url: str) -> None:
    """What the TLS-terminating proxy's clients see: pages that need collected static files, the
    security headers, plain HTTP redirected, and errors as JSON."""
    for path in ("/admin/login/", "/api/docs/", "/api/datafeeds/symbols/?format=api"):
        assert requests.get(url + path, headers=HTTPS).status_code == 200, path
    answer = requests.get(f"{url}/api/auth/csrf/", headers=HTTPS)
    hsts = answer.headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000") and "includeSubDomains" in hsts
    assert "Secure" in answer.headers["Set-Cookie"]
    plain = requests.get(f"{url}/api/auth/csrf/", allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    missing = requests.get(f"{url}/api/no-such-thing/", headers=HTTPS)
    assert missing.status_code == 404 and missing.content.startswith(b"{")


def test_the_production_recipe_serves_a_backtest_and_stops_cleanly(
    recipe_database, recipe_redis, tmp_path
):
    port = free_port()
    bin_dir = str(Path(sys.executable).parent)
    env = production_env(
        {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        port=port,
        DJANGO_DB_NAME=recipe_database,
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        PATH=f"{bin_dir}:{os.environ['PATH']}",
        PYTHONPATH=str(ROOT),
        **recipe_redis,
        WEB_CONCURRENCY="2",
        BOTS_CONCURRENCY="1",
        INGEST_CONCURRENCY="1",
        BACKTEST_CONCURRENCY="1",
        # The tracked series' downloads meet an exchange that refuses connections, and give up
        # fast: an expected failure, logged as one line without a traceback (checked below).
        EXCHANGE_API_HOSTS=f'{{"binance": "http://127.0.0.1:{free_port()}"}}',
        DATAFEEDS_RETRY_DELAYS="0.1",
    )
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    assert (tmp_path / "static" / "staticfiles.json").exists()  # the hashed-name manifest
    assert "stale metric files removed" in manage(env, "ops_prepare")
    manage(env, "import_ohlcv", "BTCUSDT", "5m", str(CANDLES), "--base", "BTC", "--quote", "USDT")
    token = manage(env, "shell", "-c", SETUP_USER).strip().splitlines()[-1]

    processes = Processes(tmp_path, cwd=ROOT)
    honcho = processes.start(
        "honcho", [f"{bin_dir}/honcho", "-f", "Procfile.production", "start", "-p", str(port)], env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        ready = wait_http(f"{url}/readyz", status=200, timeout=90, processes=processes,
                          headers=HTTPS)  # fmt: skip
        assert requests.get(f"{url}/healthz", headers=HTTPS).json() == {"status": "alive"}
        assert ready.json()["checks"]["workers"]["ok"]
        assert env["DJANGO_SECRET_KEY"] not in ready.text
        assert_https_front_door(url)

        api = {**HTTPS, "Authorization": f"Token {token}"}
        body = {"strategy": "ema-cross", "symbol": "BTCUSDT", "start": "2024-04-01",
                "end": "2024-05-01", "fee_rate": 0.001}  # fmt: skip
        created = requests.post(f"{url}/api/analytics/backtests/", json=body, headers=api)
        assert created.status_code == 202, created.text
        run_url = f"{url}/api/analytics/backtests/{created.json()['id']}/"
        deadline = time.monotonic() + 120
        while (run := requests.get(run_url, headers=api).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, f"run not finished: {run}\n{processes.output()}"
            time.sleep(0.5)
        assert run["status"] == "done", run
        assert run["kpis"]["number_of_trades"] > 0

        assert requests.get(f"{url}/metrics", headers=HTTPS).status_code == 403
        metrics_headers = {**HTTPS, "Authorization": f"Bearer {env['OPS_METRICS_TOKEN']}"}
        samples: dict = {}

        def scrape() -> None:
            response = requests.get(f"{url}/metrics", headers=metrics_headers)
            assert response.status_code == 200
            samples.clear()
            samples.update(
                ((sample.name, frozenset(sample.labels.items())), sample.value)
                for family in text_string_to_metric_families(response.text)
                for sample in family.samples
            )

        def sample(name: str, **labels: str) -> float | None:
            return samples.get((name, frozenset(labels.items())))

        # Counted in a prefork pool process of the backtests worker, read by a web worker. The
        # task's postrun signal counts it just after the task stored "done": wait for it.
        task = {"task": "analytics.backtest_run_task", "outcome": "success"}
        deadline = time.monotonic() + 30
        scrape()
        while sample("celery_tasks_total", **task) is None:
            assert time.monotonic() < deadline, "the task's success was never counted"
            time.sleep(0.2)
            scrape()
        assert sample("celery_tasks_total", **task) == 1
        route = "api/analytics/backtests/"
        assert sample("http_requests_total", method="POST", route=route, status="202") == 1
        for queue in ("bots", "ingest", "backtests", "notifications"):
            assert sample("celery_queue_depth", queue=queue) == 0
            assert sample("celery_workers", queue=queue) == 1
        lag = sample("ingestion_lag_seconds", exchange="binance", symbol="BTCUSDT", timeframe="5m")
        assert lag > 3600 * 24 * 30  # the file ends in 2024
        failed = '"event": "download of BTCUSDT 5m failed: '
        deadline = time.monotonic() + 60
        while failed not in processes.log("honcho"):
            assert time.monotonic() < deadline, f"no failed download\n{processes.output()}"
            time.sleep(0.5)
    finally:
        if honcho.poll() is None:
            honcho.send_signal(signal.SIGTERM)  # what `systemctl stop` or Ctrl-C does
        try:
            honcho.wait(timeout=60)
        finally:
            processes.stop_all()
    log = processes.log("honcho")
    assert "Traceback" not in log, log[-5000:]
    assert '"logger": "gunicorn.error"' in log  # gunicorn's own lines are JSON too
    for name in ("web", "bots", "ingest", "backtests", "notifications", "beat"):
        assert f"{name}.1 stopped" in log, log[-3000:]
