"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real exchange candles of ../shared/data (read in place, never copied)."""
    assert SHARED_DATA.is_dir(), f"missing {SHARED_DATA}"
    return SHARED_DATA


@pytest.fixture
def subprocess_env(settings):
    """Environment for a command run as a user would: same settings, the test database."""
    from django.db import connection

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DJANGO_DB_NAME=connection.settings_dict["NAME"],
        PYTHONPATH=str(PROJECT_ROOT),
    )
    return env


@pytest.fixture(scope="session")
def python() -> str:
    return sys.executable
