"""A newcomer's first hour, end to end: the platform as `make run` starts it (web, a Celery worker
AND celery beat) on nothing but the demo's simulated market, driven in headless Chromium by
frontend/e2e/first-hour/. Nothing moves a clock: the demo market closes its 1m candles in real
time and beat's refresh downloads them, so the test waits (a minute or two) as a user would."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e.test_browser import CHROMIUM, FRONTEND, ROOT, _free_port, _stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def demo_platform(subprocess_env, tmp_path):
    """`load_demo_data --simulated`, the `demo` user, then uvicorn, a worker and beat."""
    from django.contrib.auth import get_user_model

    from config.celery import app
    from tests.workers import celery_worker_argv

    call_command("load_demo_data", "--simulated", stdout=io.StringIO())
    get_user_model().objects.create_user("demo", password="demo-pass-123")
    dist = FRONTEND / "dist-e2e"
    if not (dist / "index.html").is_file():
        pytest.fail("The browser tests' build is missing: run `make test` (npm run build:e2e).")
    app.control.purge()
    env = {**subprocess_env, "DJANGO_DEBUG": "False", "FRONTEND_DIST": str(dist)}
    python = str(ROOT / ".venv/bin/python")
    worker, _ = celery_worker_argv(python, name="first-hour")
    beat = [python, "-m", "celery", "-A", "config", "beat", "--loglevel", "warning"]
    beat += ["--schedule", str(tmp_path / "celerybeat-schedule")]
    port = _free_port()
    web = [str(ROOT / ".venv/bin/uvicorn"), "config.asgi:application", "--port", str(port)]
    processes = [
        subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for argv in (worker, beat, web + ["--timeout-graceful-shutdown", "5"])
    ]
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        yield url
    finally:
        _stop(list(reversed(processes)))


@pytest.mark.timeout(900)
def test_first_hour_on_the_demo(demo_platform, subprocess_env):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: `make test` installs Debian's chromium"
    npm = shutil.which("npm")
    assert npm, "npm is needed for the browser tests"
    result = subprocess.run(
        [npm, "run", "test:e2e"],
        cwd=FRONTEND,
        env={
            **subprocess_env,
            "E2E_SUITE": "first-hour",
            "E2E_BASE_URL": demo_platform,
            "CHROMIUM_PATH": CHROMIUM,
            "PATH": os.environ["PATH"],
        },
        capture_output=True,
        text=True,
        timeout=800,
    )
    print(result.stdout[-5000:])
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
