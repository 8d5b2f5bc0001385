"""Create and delete single runs; send run tasks after commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from apps.datafeeds.models import Symbol

from ..models import BacktestRun
from .risk import risk_columns, risk_profile_checked
from .validation import (
    BacktestInvalid,
    config_checked,
    config_columns,
    params_checked,
    span_checked,
    strategy_checked,
)


def backtest_run_create(
    *,
    owner: AbstractBaseUser,
    strategy: str,
    symbol: Symbol,
    start_ms: int,
    end_ms: int,
    params: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    risk_profile: int | None = None,
) -> BacktestRun:
    """A queued run over [start_ms, end_ms) of `symbol`, enqueued once the transaction commits.

    Raises BacktestInvalid naming every bad field: parameters (against the registry), costs and
    sizing (the engine's config_errors), the span, the risk profile (one of the owner's; it then
    sets the size, stop-loss and take-profit).
    """
    spec = strategy_checked(strategy)
    errors: dict[str, Any] = {}
    validated = params_checked(spec, params, errors)
    costs = config_checked(config, errors)
    span_checked(start_ms, end_ms, errors)
    risk = risk_profile_checked(owner=owner, profile_id=risk_profile, config=config, errors=errors)
    if errors:
        raise BacktestInvalid(errors)
    with transaction.atomic():
        run = BacktestRun.objects.create(
            owner=owner,
            strategy=spec.key,
            params=validated,
            symbol=symbol,
            timeframe=spec.base_timeframe,
            start_ms=start_ms,
            end_ms=end_ms,
            **{**config_columns(costs), **risk_columns(risk)},
        )
        runs_enqueue(run_ids=[run.pk])
    return run


def runs_enqueue(*, run_ids: list[int]) -> None:
    """Send the runs' tasks after commit (a worker must find the rows it is given): one task, or
    one Celery group that spreads a sweep over every worker."""
    from celery import group

    from ..tasks import backtest_run_task  # the task module imports the services

    if len(run_ids) == 1:
        backtest_run_task.delay_on_commit(run_ids[0])
    else:
        signatures = group(backtest_run_task.si(run_id) for run_id in run_ids)
        transaction.on_commit(signatures.apply_async)


def backtest_run_delete(*, run: BacktestRun) -> None:
    """Delete a run and its trades. A worker still executing it finds its claim gone and stops."""
    with transaction.atomic():
        # Lock first: a worker storing results holds this row, and deleting the trades before
        # its commit would leave its new trades pointing at a deleted run.
        locked = BacktestRun.objects.select_for_update().filter(pk=run.pk)
        if list(locked.values_list("pk", flat=True)):
            run.delete()
