"""Create and delete single runs; send run tasks after commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from apps.datafeeds.models import Symbol
from apps.ops.enqueue import tasks_send_on_commit

from ..models import BacktestRun
from ..task_names import BACKTEST_RUN
from .risk import risk_columns, risk_profile_checked
from .validation import (
    BacktestInvalid,
    active_runs_quota_checked,
    config_checked,
    config_columns,
    params_checked,
    span_checked,
    span_clipped,
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
    sets the size, stop-loss and take-profit); QuotaExceeded past the owner's limit of active
    runs. The span is clipped to the stored candles (span_clipped).
    """
    spec = strategy_checked(strategy, owner=owner)
    config = spec.stops_defaulted(config, risk_profile=risk_profile)
    errors: dict[str, Any] = {}
    validated = params_checked(spec, params, errors)
    costs = config_checked(config, errors)
    span_checked(start_ms, end_ms, errors)
    risk = risk_profile_checked(owner=owner, profile_id=risk_profile, config=config, errors=errors)
    if errors:
        raise BacktestInvalid(errors)
    start_ms, end_ms = span_clipped(
        symbol=symbol, timeframe=spec.base_timeframe, start_ms=start_ms, end_ms=end_ms
    )
    with transaction.atomic():
        active_runs_quota_checked(owner=owner, adding=1)
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
    """Send the runs' tasks after commit (a worker must find the rows it is given), durably
    (apps/ops/enqueue.py): one task per run, spread over the backtest workers."""
    tasks_send_on_commit(BACKTEST_RUN, ((run_id,) for run_id in run_ids))


def backtest_run_delete(*, run: BacktestRun) -> None:
    """Delete a run and its trades. A worker still executing it finds its claim gone and stops."""
    with transaction.atomic():
        # Lock first: a worker storing results holds this row, and deleting the trades before
        # its commit would leave its new trades pointing at a deleted run.
        locked = BacktestRun.objects.select_for_update().filter(pk=run.pk)
        if list(locked.values_list("pk", flat=True)):
            run.delete()
