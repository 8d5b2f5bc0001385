"""Sweeps executed by real Celery worker processes (two, `--pool solo`) over the Redis broker."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from apps.analytics.models import BacktestRun, BacktestStatus, BacktestTrade
from apps.analytics.services import backtest_run_create, backtest_sweep_create
from apps.datafeeds.times import parse_time_ms
from config.celery import app
from tests.workers import celery_worker_argv, celery_workers_wait

from .expected import assert_stored_equals, engine_on_file_candles

pytestmark = pytest.mark.django_db(transaction=True)

APRIL = parse_time_ms("2024-04-01")
MAY = parse_time_ms("2024-05-01")
GRID = {"sma_period": [100, 200], "hma_period": [50, 100, 150, 200]}  # 8 runs
WORKER_START_TIMEOUT = 30.0  # seconds for a worker to answer a ping
FINISH_TIMEOUT = 60.0  # seconds for every run of a test to be done or failed


class Workers:
    """Worker processes of the test, each logging to its own file."""

    def __init__(self, python: str, env: dict[str, str], logs: Path):
        self.python, self.env, self.logs = python, env, logs
        self.processes: dict[str, subprocess.Popen] = {}

    def start(
        self,
        *names: str,
        pool: str = "solo",
        app_module: str = "apps.analytics.tests.worker_app",
        **extra_env: str,
    ) -> dict[str, str]:
        """Start one worker per name; wait until all answer. Returns name -> Celery hostname."""
        hostnames = {}
        for name in names:
            argv, hostnames[name] = celery_worker_argv(
                self.python, name=f"test-{name}", app=app_module, pool=pool
            )
            log = (self.logs / f"worker-{name}.log").open("w")
            self.processes[name] = subprocess.Popen(
                argv,
                env={**self.env, **extra_env},
                cwd=self.env["PYTHONPATH"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        celery_workers_wait(
            app, list(hostnames.values()), timeout=WORKER_START_TIMEOUT, output=self.output
        )
        return hostnames

    def output(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-4000:]}" for path in self.logs.glob("*.log")
        )

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
    # Stopped before the test database is flushed (this fixture depends on it).
    app.control.purge()  # nothing left over from an earlier run in this broker database
    started = Workers(python, subprocess_env, tmp_path)
    yield started
    started.stop()


@pytest.fixture
def files(btc_5m_candles, btc_1h_candles, btc_4h_candles):
    return {"5m": btc_5m_candles, "1h": btc_1h_candles, "4h": btc_4h_candles}


def wait_running(runs, hostname: str, workers: Workers) -> int:
    """The id of a run that `hostname` has claimed and not finished, as soon as there is one."""
    in_progress = runs.filter(status=BacktestStatus.RUNNING, worker=hostname)
    deadline = time.monotonic() + FINISH_TIMEOUT
    while (run_id := in_progress.values_list("pk", flat=True).first()) is None:
        assert time.monotonic() < deadline, f"{hostname} never ran a run\n{workers.output()}"
        time.sleep(0.02)
    return run_id


def wait_finished(run_ids: Iterable[int], workers: Workers) -> None:
    run_ids = list(run_ids)
    deadline = time.monotonic() + FINISH_TIMEOUT
    pending = BacktestRun.objects.filter(
        pk__in=run_ids, status__in=(BacktestStatus.QUEUED, BacktestStatus.RUNNING)
    )
    while pending.exists():
        if time.monotonic() > deadline:
            states = list(pending.values_list("pk", "status", "attempts", "worker"))
            raise AssertionError(f"runs not finished: {states}\n{workers.output()}")
        time.sleep(0.1)


def sweep_of_eight(owner, symbol):
    return backtest_sweep_create(
        owner=owner,
        strategy="hma-sma",
        symbol=symbol,
        start_ms=APRIL,
        end_ms=MAY,
        grid=GRID,
        config={"stop_loss": 0.015, "take_profit": 0.03},
    )


def assert_each_stored_once(runs: list[BacktestRun], files) -> None:
    """Every run done with exactly the engine's trades, KPIs and equity: nothing lost, nothing
    written twice (the trade table holds each run's trades once)."""
    for run in runs:
        assert_stored_equals(run, engine_on_file_candles(run, files))
    expected_rows = sum(run.kpis["number_of_trades"] for run in runs)
    assert BacktestTrade.objects.filter(run__in=runs).count() == expected_rows > 8


def test_a_sweep_over_two_workers_stores_every_run_once(workers, ana, btc, files):
    names = workers.start("a", "b", TEST_ENGINE_DELAY="0.2")
    # A run that cannot work (no candles in 2023) is queued first: it fails alone.
    failing = backtest_run_create(
        owner=ana,
        strategy="hma-sma",
        symbol=btc,
        start_ms=parse_time_ms("2023-01-01"),
        end_ms=parse_time_ms("2023-02-01"),
    )
    sweep = sweep_of_eight(ana, btc)
    runs = list(sweep.runs.order_by("id"))
    assert len(runs) == 8
    wait_finished([failing.pk, *(run.pk for run in runs)], workers)

    failing.refresh_from_db()
    assert failing.status == BacktestStatus.FAILED
    assert failing.error.startswith("No 5m candles of binance:BTCUSDT from 2023-01-01")
    assert_each_stored_once(runs, files)
    assert {run.attempts for run in runs} == {1}  # no redelivery, no second execution
    assert {run.worker for run in runs} == set(names.values())  # both workers took part


def test_killing_a_worker_mid_run_loses_and_duplicates_nothing(workers, ana, btc, files):
    """SIGKILL one worker while it executes a run (claimed, engine running, nothing stored).
    Its message was never acknowledged; once the visibility timeout passes Redis redelivers it
    to the other worker, whose claim takes the stuck "running" run over and stores it once."""
    names = workers.start("a", "b", TEST_ENGINE_DELAY="0.5", TEST_VISIBILITY_TIMEOUT="4")
    sweep = sweep_of_eight(ana, btc)
    runs = list(sweep.runs.order_by("id"))

    victim_run = wait_running(sweep.runs, names["a"], workers)
    victim = workers.processes["a"]
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    interrupted = BacktestRun.objects.get(pk=victim_run)
    assert interrupted.status == BacktestStatus.RUNNING and interrupted.attempts == 1
    assert not interrupted.trades.exists()  # killed between its claim and its store

    wait_finished((run.pk for run in runs), workers)
    assert_each_stored_once(runs, files)
    interrupted.refresh_from_db()
    assert (interrupted.attempts, interrupted.worker) == (2, names["b"])
    assert {run.attempts for run in runs if run.pk != victim_run} == {1}


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the pool process through /proc")
def test_a_killed_pool_process_gives_its_run_back_at_once(workers, ana, btc, files):
    """With the prefork pool, SIGKILL of the pool process executing a run: the worker sees it
    lost, and reject_on_worker_lost requeues the message at once (no visibility timeout)."""
    names = workers.start("p", pool="prefork", TEST_ENGINE_DELAY="0.5")
    sweep = sweep_of_eight(ana, btc)
    runs = list(sweep.runs.order_by("id"))[:2]
    sweep.runs.exclude(pk__in=[run.pk for run in runs]).delete()  # two are enough here
    victim_run = wait_running(sweep.runs, names["p"], workers)
    main_pid = workers.processes["p"].pid
    (pool_process,) = Path(f"/proc/{main_pid}/task/{main_pid}/children").read_text().split()
    os.kill(int(pool_process), signal.SIGKILL)

    wait_finished((run.pk for run in runs), workers)
    assert_each_stored_once(runs, files)
    assert BacktestRun.objects.get(pk=victim_run).attempts == 2
