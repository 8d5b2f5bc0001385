"""Create a study, and pause, resume or cancel it. The workers do the rest (runner.py)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import optuna
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.analytics.services.validation import BacktestInvalid, span_clipped
from apps.datafeeds.models import Symbol
from apps.ops.enqueue import tasks_send_on_commit

from ..events import study_changed
from ..models import Study, StudyStatus
from ..storage import optuna_storage
from ..task_names import STUDY_WORK
from .validation import active_studies_quota_checked, search_checked, warmup_checked


def study_create(
    *,
    owner: AbstractBaseUser,
    strategy: str,
    symbol: Symbol,
    start_ms: int,
    end_ms: int,
    space: Any,
    params: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    risk_profile: int | None = None,
    objective: str = "sharpe",
    min_trades: int = 1,
    sampler: str = "tpe",
    n_trials: int = 100,
    seed: int | None = None,
) -> Study:
    """A running study over [start_ms, end_ms) (clipped to the stored candles), its work sent to
    OPTIMISATION_TASKS_PER_STUDY backtest workers once the transaction commits.

    BacktestInvalid names every bad field (the space against the schema's bounds, the objective,
    the sampler, the costs, a span with fewer candles than the warm-up, ...); QuotaExceeded past
    the owner's active studies."""
    search = search_checked(
        owner=owner,
        strategy=strategy,
        start_ms=start_ms,
        end_ms=end_ms,
        space=space,
        params=params,
        config=config,
        risk_profile=risk_profile,
        objective=objective,
        min_trades=min_trades,
        sampler=sampler,
        n_trials=n_trials,
        seed=seed,
    )
    start_ms, end_ms = span_clipped(
        symbol=symbol, timeframe=search.spec.base_timeframe, start_ms=start_ms, end_ms=end_ms
    )
    warmup_checked(search=search, symbol=symbol, start_ms=start_ms, end_ms=end_ms, field="start")
    name = optuna_study_create()
    with transaction.atomic():
        active_studies_quota_checked(owner=owner, adding=1)
        study = Study.objects.create(
            owner=owner,
            symbol=symbol,
            start_ms=start_ms,
            end_ms=end_ms,
            optuna_name=name,
            **search.columns,
        )
        studies_enqueue(study_ids=[study.pk])
    return study


def optuna_study_create() -> str:
    """A new, empty study in Optuna's storage (created here, so the workers only load it); its
    name. Should the row's transaction then fail, the empty study is left unused: harmless."""
    name = f"study-{uuid.uuid4()}"
    optuna.create_study(study_name=name, storage=optuna_storage(), direction="maximize")
    return name


def studies_enqueue(*, study_ids: list[int]) -> None:
    """OPTIMISATION_TASKS_PER_STUDY tasks per study, sent after commit: each pulls trials from
    the shared Optuna study until it is finished, paused or cancelled."""
    copies = settings.OPTIMISATION_TASKS_PER_STUDY
    tasks_send_on_commit(STUDY_WORK, [(pk,) for pk in study_ids for _ in range(copies)])


def study_pause(*, study: Study) -> Study:
    """Running -> paused: each worker stops after its current trial."""
    return _transition(study, (StudyStatus.RUNNING,), StudyStatus.PAUSED)


def study_resume(*, study: Study) -> Study:
    """Paused -> running: the workers pick up where the study stopped (Optuna keeps every trial)."""
    with transaction.atomic():
        study = _transition(study, (StudyStatus.PAUSED,), StudyStatus.RUNNING)
        studies_enqueue(study_ids=[study.pk])
    return study


def study_cancel(*, study: Study) -> Study:
    """Running or paused -> cancelled, for good; the finished trials stay readable."""
    return _transition(
        study, (StudyStatus.RUNNING, StudyStatus.PAUSED), StudyStatus.CANCELLED, finished=True
    )


def _transition(
    study: Study, sources: tuple[str, ...], target: str, *, finished: bool = False
) -> Study:
    extra = {"finished_at": timezone.now()} if finished else {}
    changed = Study.objects.filter(pk=study.pk, status__in=sources).update(status=target, **extra)
    study.refresh_from_db()
    if changed != 1:
        raise BacktestInvalid({"status": f"the study is {study.status}; cannot make it {target}"})
    study_changed(study_id=study.pk)
    return study
