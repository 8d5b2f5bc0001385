"""Fail-closed configuration: production refuses to start half-configured, naming the variable;
`check --deploy` is clean; local development gets its own key under var/; the debug page masks
credentials."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.debug import CredentialsHidingFilter

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = secrets.token_urlsafe(50)


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CORS_", "CSRF_", "SECURE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_ALLOWED_HOSTS="trading.example.org",
        DJANGO_DB_ENGINE="postgresql",
        CHANNEL_LAYER_BACKEND="redis",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/1",
        PYTHONPATH=str(ROOT),
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None and v != "<unset>"}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def start_production(**overrides: str) -> subprocess.CompletedProcess:
    """Import the ASGI application as uvicorn would, with the production settings."""
    return run(["-c", "import config.asgi"], production_env(**overrides))


def test_production_starts_with_a_strong_key():
    result = start_production()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("<unset>", "is not set"),
        ("", "is not set"),
        ("change-me", "too short"),
        ("x" * 60, "too short or too simple"),
        ("change-me-" + "a1b2c3d4e5" * 5, "placeholder"),
        ("django-insecure-" + "Zq8vR2mT7xK4pL9wN3bH6cJ1dF5gS0aY" * 2, "placeholder"),
        ("insecure-local-development-key-change-me", "too short"),
    ],
)
def test_production_refuses_a_missing_short_or_known_weak_key(key, why):
    result = start_production(DJANGO_SECRET_KEY=key)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr and why in result.stderr


def test_production_refuses_a_weak_fallback_key():
    result = start_production(DJANGO_SECRET_KEY_FALLBACKS="change-me")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY_FALLBACKS" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"DJANGO_DEBUG": "True"}, "DJANGO_DEBUG"),
        ({"DJANGO_ALLOWED_HOSTS": "<unset>"}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_DB_ENGINE": "sqlite"}, "DJANGO_DB_ENGINE"),
        ({"CELERY_BROKER_URL": "filesystem://"}, "CELERY_BROKER_URL"),
    ],
)
def test_production_refuses_other_unsafe_settings_naming_the_variable(overrides, variable):
    result = start_production(**overrides)
    assert result.returncode != 0 and variable in result.stderr


def test_server_entry_points_default_to_production_settings():
    env = production_env(DJANGO_SETTINGS_MODULE="<unset>", DJANGO_SECRET_KEY="<unset>")
    for module in ("config.asgi", "config.wsgi", "config.celery"):
        result = run(
            ["-c", f"import {module}; from django.conf import settings; settings.DEBUG"], env
        )
        assert result.returncode != 0, module
        assert "DJANGO_SECRET_KEY is not set" in result.stderr, module


def test_check_deploy_with_the_production_settings_reports_nothing():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_trusts_only_the_origins_the_environment_lists():
    code = (
        "from django.conf import settings; "
        "print(settings.CORS_ALLOWED_ORIGINS, settings.CSRF_TRUSTED_ORIGINS, settings.DEBUG)"
    )
    result = run(["-c", f"import django; django.setup(); {code}"], production_env())
    assert result.stdout.strip() == "[] [] False", result.stderr
    listed = production_env(
        CORS_ALLOWED_ORIGINS="https://app.example.org",
        CSRF_TRUSTED_ORIGINS="https://app.example.org",
    )
    result = run(["-c", f"import django; django.setup(); {code}"], listed)
    assert result.stdout.strip() == (
        "['https://app.example.org'] ['https://app.example.org'] False"
    ), result.stderr


def test_local_development_uses_its_own_key_kept_in_var():
    env = production_env(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_SECRET_KEY="<unset>",
        DJANGO_DB_ENGINE="sqlite",
        CHANNEL_LAYER_BACKEND="memory",
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY, settings.DEBUG)"
    )
    first = run(["-c", code], env)
    second = run(["-c", code], env)
    key, debug = first.stdout.split()
    assert first.returncode == 0, first.stderr
    assert key == (ROOT / "var" / "secret_key").read_text().strip() and len(key) >= 50
    assert second.stdout == first.stdout and debug == "True"
    ignored = subprocess.run(["git", "check-ignore", "-q", "var/secret_key"], cwd=ROOT)
    assert ignored.returncode == 0  # never committed


def test_debug_is_off_unless_turned_on():
    env = production_env(DJANGO_SETTINGS_MODULE="config.settings.test", DJANGO_SECRET_KEY="<unset>")
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    assert run(["-c", code], env).stdout.strip() == "False"


def test_the_debug_page_masks_credentials_in_every_setting(rf, settings):
    settings.REDIS_URL = "redis://:redis-pass@cache.internal:6379/0"
    settings.CELERY_BROKER_URL = "rediss://worker:broker-pass@queue.internal:6380/1"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://:cache-pass@cache.internal:6379/2",
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {"CONFIG": {"hosts": ["redis://:layer-pass@cache.internal:6379/3"]}}
    }
    settings.DATABASE_URL = "postgresql://trader:db-pass@db.internal/bot?password=db-pass2"
    safe = CredentialsHidingFilter().get_safe_settings()
    text = repr(safe)
    for secret in ("redis-pass", "broker-pass", "cache-pass", "layer-pass", "db-pass"):
        assert secret not in text
    assert safe["REDIS_URL"] == "redis://:********************@cache.internal:6379/0"
    assert "cache.internal" in safe["CACHES"]["default"]["LOCATION"]  # the rest stays readable
    assert settings.SECRET_KEY not in text


def _connect_to_redis():
    from django.conf import settings

    url = settings.REDIS_URL  # noqa: F841 - a local the debug page shows
    raise RuntimeError("boom")


def test_the_debug_page_itself_shows_no_url_password(rf, settings):
    from django.views.debug import technical_500_response

    password = "redis-" + "pass"  # never written whole in this file: the page quotes its source
    settings.DEBUG = True
    settings.REDIS_URL = f"redis://:{password}@cache.internal:6379/0"
    try:
        _connect_to_redis()
    except RuntimeError:
        response = technical_500_response(rf.get("/boom/"), *sys.exc_info())
    page = response.content.decode()
    assert "boom" in page and "cache.internal" in page and password not in page
