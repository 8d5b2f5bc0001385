"""The README's production recipe, run as written: migrate, collectstatic, then the ASGI server
with the production settings; the admin login, the API docs and the browsable API answer 200
(they 500 without collectstatic), plain HTTP is redirected, and security headers are on."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, https: bool = True) -> tuple[int, Any, bytes]:
    headers = {"Host": "trading.example.org"}
    if https:
        headers["X-Forwarded-Proto"] = "https"  # what the TLS-terminating proxy sets
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_production_recipe_serves_admin_docs_and_browsable_api(tmp_path):
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="trading.example.org",
        DJANGO_DB_ENGINE="postgresql",
        DJANGO_DB_NAME=connection.settings_dict["NAME"],
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        CHANNEL_LAYER_BACKEND="redis",
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
    )
    python = sys.executable
    for step in (
        ["manage.py", "migrate", "--noinput"],
        ["manage.py", "collectstatic", "--noinput"],
    ):
        result = subprocess.run(
            [python, *step], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "uvicorn", "config.asgi:application", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(f"{base}/api/auth/csrf/")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        for path in ("/admin/login/", "/api/docs/", "/api/datafeeds/symbols/?format=api"):
            status, headers, _ = fetch(base + path)
            assert status == 200, path
        status, headers, _ = fetch(f"{base}/api/auth/csrf/")
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "includeSubDomains" in headers["Strict-Transport-Security"]
        assert "Secure" in headers["Set-Cookie"]
        status, headers, _ = fetch(f"{base}/api/auth/csrf/", https=False)
        assert status == 301 and headers["Location"].startswith("https://")
        status, headers, body = fetch(f"{base}/api/no-such-thing/")
        assert status == 404 and body.startswith(b"{")
    finally:
        server.terminate()
        server.wait(timeout=15)
