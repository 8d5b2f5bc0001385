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
WORKER_START_TIMEOUT = 60.0  # seconds for a worker to answer a ping (a busy machine)
FINISH_TIMEOUT = 90.0  # seconds


class Workers:
    """Worker processes of the test, each logging to its own file."""

    def __init__(self, python: str, env: dict[str, str], logs):
        self.python, self.env, self.logs = python, env, logs
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *, wait: bool = True) -> str:
        """Start a worker; with `wait`, until it answers a ping (a solo worker busy with a task
        answers none: one started while tasks wait goes straight to work)."""
        argv, hostname = celery_worker_argv(
            self.python, name=f"opt-{name}", app="apps.optimisation.tests.worker_app"
        )
        log = (self.logs / f"worker-{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            argv, env=self.env, cwd=self.env["PYTHONPATH"], stdout=log, stderr=subprocess.STDOUT
        )
        if wait:
            celery_workers_wait(app, [hostname], timeout=WORKER_START_TIMEOUT, output=self.output)
        return hostname

    def output(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in self.logs.glob("*.log"))

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(python, subprocess_env, transactional_db, tmp_path):
    app.control.purge()
    env = {
        **subprocess_env,
        "TEST_TRIAL_DELAY": "0.4",
        "TEST_VISIBILITY_TIMEOUT": "4",
        "OPTIMISATION_HEARTBEAT_SECONDS": "1",
    }
    started = Workers(python, env, tmp_path)
    yield started
    started.stop()


def test_a_worker_killed_mid_trial_loses_that_trial_only(workers, ana, btc, settings):
    """Worker a alone takes the study's tasks; once Optuna shows a trial running (a is inside
    it: the engine sleeps 0.4 s), a is killed. Worker b then finishes the study: the killed
    trial, silent (for three heartbeats, or since it started without one), is failed and run
    again with the same parameters."""
    settings.OPTIMISATION_HEARTBEAT_SECONDS = 1  # this process's storage: as the workers'
    workers.start("a")
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
    ostudy = optuna.load_study(study_name=study.optuna_name, storage=optuna_storage())
    deadline = time.monotonic() + FINISH_TIMEOUT
    while not ostudy.get_trials(deepcopy=False, states=(OptunaState.RUNNING,)):
        assert time.monotonic() < deadline, f"worker a ran no trial\n{workers.output()}"
        time.sleep(0.02)
    os.kill(workers.processes["a"].pid, signal.SIGKILL)
    workers.processes["a"].wait(timeout=10)
    workers.start("b", wait=False)  # the study's other task waits for it

    while study.status == StudyStatus.RUNNING:
        if time.monotonic() > deadline:
            states = [(t.number, t.state.name) for t in ostudy.get_trials()]
            raise AssertionError(f"study not finished: {states}\n{workers.output()}")
        time.sleep(0.2)
        study.refresh_from_db()
    assert study.status == StudyStatus.DONE, study.error

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
