"""Optuna's RDB storage on the project's database, so that every Celery worker pulls trials
from the same study (no scheduler of ours).

PostgreSQL (production, the tests): Optuna's tables (`studies`, `trials`, ...; created on first
use) sit in the project's own database, reached through SQLAlchemy with psycopg 3. SQLite (the
embedded default): a sibling file `<database>-optuna.sqlite3` under var/, so that Optuna's
writes never hold the lock Django's writes wait for. Connections are not pooled (NullPool): a
Celery prefork child never shares a socket with its parent, and the test database can be dropped
when the tests end.
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import optuna
from django.conf import settings
from django.db import connection
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

optuna.logging.set_verbosity(optuna.logging.WARNING)  # a line per trial floods the worker log
# Heartbeats and RetryFailedTrialCallback are "experimental" in Optuna since 2.9: pinned here.
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

_CREATE_ATTEMPTS = 5
_storages: dict[tuple[str, int], optuna.storages.RDBStorage] = {}


def storage_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return URL.create(
            "postgresql+psycopg",
            username=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=int(db["PORT"]) if db.get("PORT") else None,
            database=db["NAME"],
        ).render_as_string(hide_password=False)
    name = Path(str(db["NAME"]))
    return f"sqlite:///{name.with_name(name.stem + '-optuna.sqlite3')}"


def optuna_storage() -> optuna.storages.RDBStorage:
    """This process's storage (created once: it checks Optuna's schema on creation). A running
    trial beats every OPTIMISATION_HEARTBEAT_SECONDS; one silent for three beats is failed and
    enqueued again (at most twice) by whichever worker looks next."""
    key = (storage_url(), os.getpid())
    if key not in _storages:
        heartbeat = settings.OPTIMISATION_HEARTBEAT_SECONDS
        for attempt in range(_CREATE_ATTEMPTS):
            try:
                _storages[key] = optuna.storages.RDBStorage(
                    key[0],
                    engine_kwargs={"poolclass": NullPool},
                    heartbeat_interval=heartbeat,
                    grace_period=3 * heartbeat,
                    heartbeat_stale_trial_callback=(
                        optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=2)
                    ),
                )
                break
            except SQLAlchemyError:
                # Two processes creating Optuna's tables at once on a fresh database: one
                # loses the race on PostgreSQL's catalogue; the tables exist on the next try.
                if attempt == _CREATE_ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
    return _storages[key]
