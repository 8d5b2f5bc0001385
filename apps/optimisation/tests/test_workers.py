"""A study shared by two real Celery worker processes (`--pool solo`) over the Redis broker,
one of them killed (SIGKILL) in the middle of a trial: the study loses that trial's time only,
never the study, and every grid point is evaluated."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import optuna
import pytest
from optuna.trial import TrialState as OptunaState

from apps.datafeeds.times import parse_time_ms
from apps.optimisation.models import StudyStatus, StudyTrial
from apps.optimisation.services import study_create
from apps.optimisation.storage import optuna_storage
from config.celery import app
from tests.workers import celery_worker_argv, celery_workers_wait

pytestmark = pytest.mark.django_db(transaction=True)

APRIL = parse_time_ms("2024-04-01")
SPACE = {
    "sma_period": {"low": 100, "high": 200, "step": 100},
    "hma_period": {"low": 50, "high": 200, "step": 50},
}  # 8 grid points
FINISH_TIMEOUT = 90.0  # seconds


@pytest.fixture
def workers(python, subprocess_env, transactional_db, tmp_path):
    app.control.purge()
    processes: dict[str, subprocess.Popen] = {}
    hostnames: dict[str, str] = {}
    env = {
        **subprocess_env,
        "TEST_TRIAL_DELAY": "0.4",
        "TEST_VISIBILITY_TIMEOUT": "4",
        "OPTIMISATION_HEARTBEAT_SECONDS": "1",
    }
    for name in ("a", "b"):
        argv, hostnames[name] = celery_worker_argv(
            python, name=f"opt-{name}", app="apps.optimisation.tests.worker_app"
        )
        log = (tmp_path / f"worker-{name}.log").open("w")
        processes[name] = subprocess.Popen(
            argv, env=env, cwd=env["PYTHONPATH"], stdout=log, stderr=subprocess.STDOUT
        )

    def output() -> str:
        return "\n".join(p.read_text()[-3000:] for p in tmp_path.glob("*.log"))

    celery_workers_wait(app, list(hostnames.values()), timeout=30, output=output)
    yield processes, hostnames, output
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_worker_killed_mid_trial_loses_that_trial_only(workers, ana, btc, settings):
    processes, hostnames, output = workers
    settings.OPTIMISATION_HEARTBEAT_SECONDS = 1  # this process's storage: as the workers'
    study = study_create(
        owner=ana,
        strategy="hma-sma",
        symbol=btc,
        start_ms=APRIL,
        end_ms=APRIL + 7 * 86_400_000,
        space=SPACE,
        sampler="grid",
        min_trades=0,
    )
    # Once worker a has finished a trial it is straight into the next one: kill it there.
    deadline = time.monotonic() + FINISH_TIMEOUT
    while not StudyTrial.objects.filter(study=study, worker=hostnames["a"]).exists():
        assert time.monotonic() < deadline, f"worker a ran no trial\n{output()}"
        time.sleep(0.05)
    os.kill(processes["a"].pid, signal.SIGKILL)
    processes["a"].wait(timeout=10)

    while study.status == StudyStatus.RUNNING:
        assert time.monotonic() < deadline, f"study not finished\n{output()}"
        time.sleep(0.2)
        study.refresh_from_db()
    assert study.status == StudyStatus.DONE, study.error

    ostudy = optuna.load_study(study_name=study.optuna_name, storage=optuna_storage())
    states = [t.state for t in ostudy.get_trials()]
    assert states.count(OptunaState.FAIL) == 1  # the killed trial, failed once silent...
    assert states.count(OptunaState.COMPLETE) + states.count(OptunaState.PRUNED) == 8
    # ... and run again: every grid point evaluated, each stored once.
    points = sorted(
        (t.params["sma_period"], t.params["hma_period"])
        for t in StudyTrial.objects.filter(study=study)
    )
    assert points == sorted((s, h) for s in (100, 200) for h in (50, 100, 150, 200))
    assert study.trials_done == 8
