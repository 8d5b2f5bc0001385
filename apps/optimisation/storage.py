"""Optuna's RDB storage on the project's database, so that every Celery worker pulls trials
from the same study (no scheduler of ours).

PostgreSQL (production, the tests): Optuna's tables (`studies`, `trials`, ...; created on first
use) sit in the project's own database, reached through SQLAlchemy with psycopg 3. SQLite (the
embedded default): a sibling file `<database>-optuna.sqlite3` under var/, so that Optuna's
writes never hold the lock Django's writes wait for. Each process builds its own storage (keyed
by process id), so a Celery prefork child never uses a pooled connection of its parent; two
connections are pooled per process (a trial makes a dozen storage calls, and opening a
PostgreSQL connection for each cost more than the backtest). `storages_dispose()` closes them
(the tests do, so the test database can be dropped).
"""

from __future__ import annotations

import os
import time
import warnings
from datetime import datetime, timedelta
from pathlib import Path

import optuna
from django.conf import settings
from django.db import connection
from optuna.storages._rdb import models
from optuna.storages._rdb.storage import _create_scoped_session
from optuna.trial import TrialState
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

optuna.logging.set_verbosity(optuna.logging.WARNING)  # a line per trial floods the worker log
# Heartbeats and RetryFailedTrialCallback are "experimental" in Optuna since 2.9: pinned here.
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

_CREATE_ATTEMPTS = 5
# A trial failed for silence is enqueued again with its parameters, at most twice.
_RETRY = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=2)
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
                    engine_kwargs={"pool_size": 2, "max_overflow": 2, "pool_pre_ping": True},
                    heartbeat_interval=heartbeat,
                    grace_period=3 * heartbeat,
                    heartbeat_stale_trial_callback=_RETRY,
                )
                break
            except SQLAlchemyError:
                # Two processes creating Optuna's tables at once on a fresh database: one
                # loses the race on PostgreSQL's catalogue; the tables exist on the next try.
                if attempt == _CREATE_ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
    return _storages[key]


def storages_dispose() -> None:
    """Close this process's pooled connections to Optuna's storage."""
    for key, storage in list(_storages.items()):
        storage.engine.dispose()
        del _storages[key]


def fail_silent_trials(ostudy: optuna.Study) -> int:
    """Fail (and enqueue again) the running trials that never wrote a heartbeat although they
    started more than two grace periods ago: their worker died between Optuna marking them
    running and the first beat, and Optuna's own stale check skips trials without a beat. The
    number failed."""
    storage = optuna_storage()
    running = ostudy.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    if not running:
        return 0
    ids = [t._trial_id for t in running]
    with _create_scoped_session(storage.scoped_session) as session:
        beating = {
            trial_id
            for (trial_id,) in session.query(models.TrialHeartbeatModel.trial_id).filter(
                models.TrialHeartbeatModel.trial_id.in_(ids)
            )
        }
    limit = timedelta(seconds=2 * (storage.grace_period or 0))
    now = datetime.now()  # Optuna stamps datetime_start with the naive local clock
    failed = 0
    for trial in running:
        if trial._trial_id in beating or trial.datetime_start is None:
            continue
        if now - trial.datetime_start <= limit:
            continue
        if ostudy._storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL):
            _RETRY(ostudy, trial)
            failed += 1
    return failed
