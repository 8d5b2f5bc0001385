"""What a worker does with a study: pull trials from the shared Optuna study until it has
`n_trials` finished ones (complete or pruned), or is paused or cancelled.

Every worker on a study runs the same loop (no scheduler of ours): Optuna's storage hands each
one the next trial. A trial's heartbeat is written while it runs; a worker killed mid-trial
leaves it silent, and the next worker to look fails it and enqueues it again
(storage.py), so the study loses at most that trial's time. The worker that sees the study
complete marks it done with one conditional update (running -> done), so exactly one worker
finishes it (and, for a walk-forward window, runs its out-of-sample stretch).
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from typing import Any

import optuna
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from optuna.trial import TrialState as OptunaState

from apps.strategies.registry import InvalidParameters, strategy_spec

from ..events import study_changed
from ..models import Sampler, Study, StudyStatus, StudyTrial, TrialState
from ..space import SearchRange, space_of_json
from ..storage import fail_silent_trials, optuna_storage
from ..trials import StudyInputs, study_inputs, trial_run
from .walk_forward import walk_forward_fail, walk_forward_finish_if_complete, window_out_of_sample

logger = logging.getLogger(__name__)

# Trials that raised (a bug, not a bad parameter) before the study is given up as failed.
MAX_FAILED_TRIALS = 20
WAIT_SECONDS = 0.5  # between looks while the last trials run on other workers
SURPLUS = "surplus"  # user attribute of a trial started past n_trials (see _is_surplus)


class SurplusTrial(Exception):
    """A trial past the study's n_trials: failed at once, never run nor counted."""


def _is_surplus(ostudy: optuna.Study, number: int, n_trials: int) -> bool:
    """Whether trial `number` is one too many: two workers that each saw one trial left both
    started one. Decided by trial number (the earlier ones that did not fail count), so exactly
    one of them runs; the storage is read only for trials numbered n_trials or more."""
    if number < n_trials:
        return False
    trials = ostudy.get_trials(deepcopy=False)
    earlier = [t for t in trials if t.number < number and t.state != OptunaState.FAIL]
    return len(earlier) >= n_trials


def study_work(*, study_id: int, worker: str = "") -> str:
    """Run trials of the study until it is finished, paused or cancelled (module docstring).
    Safe to call any number of times, from any number of workers at once."""
    study = Study.objects.select_related("symbol").filter(pk=study_id).first()
    if study is None or study.status != StudyStatus.RUNNING:
        return "skipped"
    try:
        shared = study_inputs(study)
        ostudy = optuna_study(study)
    except Exception as error:
        logger.exception("study %s cannot start", study_id)
        _fail(study, f"{type(error).__name__}: {error}")
        return "failed"
    objective = _objective(study, shared, space_of_json(shared.spec, study.space), worker)
    # A trial goes stale only after silent heartbeats: looking once per beat finds it as soon.
    sweep = _Every(settings.OPTIMISATION_HEARTBEAT_SECONDS)
    progress = _Every(settings.OPTIMISATION_PROGRESS_SECONDS)
    unreported = False  # trials run since this worker last wrote the study's progress
    while True:
        if _status(study_id) != StudyStatus.RUNNING:
            if unreported:
                study_progress(study_id=study_id)
            return "stopped"
        if sweep.due():
            # A killed worker's trial goes back to waiting (silent after its beats, or before any).
            optuna.storages.fail_stale_trials(ostudy)
            fail_silent_trials(ostudy)
        trials = ostudy.get_trials(deepcopy=False)
        states = Counter(t.state for t in trials)
        finished = states[OptunaState.COMPLETE] + states[OptunaState.PRUNED]
        if finished >= study.n_trials:
            study_finish(study=study, ostudy=ostudy)
            return "done"
        failed = [t for t in trials if t.state == OptunaState.FAIL]
        raised = [t for t in failed if not t.user_attrs.get(SURPLUS)]
        if len(raised) > MAX_FAILED_TRIALS:
            _fail(study, f"{MAX_FAILED_TRIALS} trials raised; the last: {raised[-1].user_attrs}")
            return "failed"
        running, waiting = states[OptunaState.RUNNING], states[OptunaState.WAITING]
        if finished + running >= study.n_trials and not waiting:
            # The last trials run elsewhere; if their worker died they come back as waiting.
            time.sleep(WAIT_SECONDS)
            continue
        ostudy.optimize(objective, n_trials=1, catch=(Exception,), gc_after_trial=False)
        unreported = True
        if progress.due():
            study_progress(study_id=study_id)
            unreported = False


class _Every:
    """Due on the first call, then once `seconds` have passed since it was last due."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.last = seconds, None

    def due(self) -> bool:
        now = time.monotonic()
        if self.last is not None and now - self.last < self.seconds:
            return False
        self.last = now
        return True


def optuna_study(study: Study) -> optuna.Study:
    """The study in Optuna's storage (created by the first worker), with this study's sampler
    (samplers are not stored: each worker builds the same one)."""
    return optuna.create_study(
        study_name=study.optuna_name,
        storage=optuna_storage(),
        direction="maximize",
        sampler=_sampler(study),
        load_if_exists=True,
    )


def _sampler(study: Study) -> optuna.samplers.BaseSampler:
    if study.sampler == Sampler.GRID:
        ranges = space_of_json(strategy_spec(study.strategy), study.space)
        grid = {name: r.grid() for name, r in ranges.items()}
        return optuna.samplers.GridSampler(grid, seed=study.seed)
    if study.sampler == Sampler.RANDOM:
        return optuna.samplers.RandomSampler(seed=study.seed)
    return optuna.samplers.TPESampler(seed=study.seed)


def _suggest(trial: optuna.Trial, r: SearchRange) -> int | float:
    if r.kind is int:
        return trial.suggest_int(r.name, int(r.low), int(r.high), step=int(r.step or 1))
    return trial.suggest_float(r.name, float(r.low), float(r.high), step=r.step)


def _objective(study: Study, shared: StudyInputs, ranges: dict[str, SearchRange], worker: str):
    # The best value this worker has seen: the study's best trial is the best of the worker
    # that ran it, so only trials at or above it need the moments the diagnostics read.
    best_here = -math.inf

    def objective(trial: optuna.Trial) -> float:
        nonlocal best_here
        if _is_surplus(trial.study, trial.number, study.n_trials):
            trial.set_user_attr(SURPLUS, True)
            raise SurplusTrial(f"trial {trial.number}: the study's {study.n_trials} are taken")
        values = {name: _suggest(trial, r) for name, r in ranges.items()}
        try:
            params = shared.spec.validate_params({**study.params, **values})
        except InvalidParameters as error:  # a cross-field rule (fast below slow, ...)
            _record(study, trial, values, worker, kpis=None, outcome=None)
            raise optuna.TrialPruned(str(error)) from None
        outcome = trial_run(shared, params)
        value = outcome.kpis.get(study.objective)
        if outcome.kpis["number_of_trades"] < study.min_trades or value is None:
            # Hopeless: too few trades to mean anything, or the KPI undefined.
            _record(study, trial, values, worker, kpis=outcome.kpis, outcome=outcome)
            raise optuna.TrialPruned("below the minimum trade count or KPI undefined")
        moments = None
        if value >= best_here:
            best_here, moments = value, outcome.moments
        _record(study, trial, values, worker, kpis=outcome.kpis, outcome=outcome, value=value,
                moments=moments)  # fmt: skip
        return float(value)

    return objective


def _record(study, trial, values, worker, *, kpis, outcome, value=None, moments=None) -> None:
    StudyTrial.objects.update_or_create(
        study_id=study.pk,
        number=trial.number,
        defaults={
            "params": values,
            "state": TrialState.PRUNED if value is None else TrialState.COMPLETE,
            "value": value,
            "kpis": kpis,
            "samples": None if outcome is None else outcome.samples.astype("<f8").tobytes(),
            "moments": moments,
            "worker": worker[:255],
        },
    )


def _status(study_id: int) -> str | None:
    return Study.objects.filter(pk=study_id).values_list("status", flat=True).first()


def study_progress(*, study_id: int) -> None:
    """Trials done and the best so far on the study's row, then to its owner's sockets."""
    trials = StudyTrial.objects.filter(study_id=study_id)
    best = trials.filter(state=TrialState.COMPLETE).order_by("-value", "number").first()
    Study.objects.filter(pk=study_id).update(
        trials_done=trials.count(),
        trials_pruned=trials.filter(state=TrialState.PRUNED).count(),
        best_value=best.value if best else None,
        best_params=best.params if best else None,
        best_kpis=best.kpis if best else None,
    )
    study_changed(study_id=study_id)


def study_finish(*, study: Study, ostudy: optuna.Study) -> None:
    """Mark the study done (one worker does: conditional update) after dropping the rows of trials
    Optuna does not count (written just before their worker was killed); a walk-forward
    window then runs its best parameters out of sample."""
    kept = [t.number for t in ostudy.get_trials(states=(OptunaState.COMPLETE, OptunaState.PRUNED))]
    StudyTrial.objects.filter(study_id=study.pk).exclude(number__in=kept).delete()
    study_progress(study_id=study.pk)
    oos: dict[str, Any] = {}
    if study.walk_forward_id is not None:
        study.refresh_from_db()
        oos = window_out_of_sample(study=study)
    with transaction.atomic():
        done = Study.objects.filter(pk=study.pk, status=StudyStatus.RUNNING).update(
            status=StudyStatus.DONE, finished_at=timezone.now(), **oos
        )
    study_changed(study_id=study.pk)
    if done and study.walk_forward_id is not None:
        walk_forward_finish_if_complete(walk_forward_id=study.walk_forward_id)


def _fail(study: Study, message: str) -> None:
    Study.objects.filter(pk=study.pk, status=StudyStatus.RUNNING).update(
        status=StudyStatus.FAILED, error=message[:4000], finished_at=timezone.now()
    )
    study_changed(study_id=study.pk)
    if study.walk_forward_id is not None:
        walk_forward_fail(walk_forward_id=study.walk_forward_id, message=message)
