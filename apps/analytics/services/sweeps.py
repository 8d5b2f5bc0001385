"""Parameter sweeps: a grid of values -> one queued run per combination, fanned out as a group."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from apps.datafeeds.models import Symbol
from apps.strategies.registry import InvalidParameters, StrategySpec

from ..models import BacktestRun, BacktestSweep
from .risk import risk_columns, risk_profile_checked
from .runs import runs_enqueue
from .validation import (
    BacktestInvalid,
    active_runs_quota_checked,
    config_checked,
    config_columns,
    each_value_checked,
    span_checked,
    span_clipped,
    strategy_checked,
)

# Combinations per sweep (each is a full backtest on a worker): settings.BACKTEST_MAX_SWEEP_RUNS,
# read at each call; this name keeps the value at start-up for callers that show it.
MAX_SWEEP_RUNS = settings.BACKTEST_MAX_SWEEP_RUNS


def backtest_sweep_create(
    *,
    owner: AbstractBaseUser,
    strategy: str,
    symbol: Symbol,
    start_ms: int,
    end_ms: int,
    grid: Mapping[str, Sequence[Any]],
    params: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    risk_profile: int | None = None,
) -> BacktestSweep:
    """One queued run per combination of the grid's values (the cartesian product, on top of the
    fixed `params`), fanned out to the workers (one task per run) once the transaction commits.

    Combinations that break only a cross-field rule of the strategy (ema-cross: fast period
    below slow period) are left out and listed in `skipped`; a bad value, an unknown parameter or
    more than BACKTEST_MAX_SWEEP_RUNS combinations is a BacktestInvalid; more runs than the
    owner's active-runs quota leaves is a QuotaExceeded. The span is clipped to the stored
    candles.
    """
    spec = strategy_checked(strategy, owner=owner)
    config = spec.stops_defaulted(config, risk_profile=risk_profile)
    errors: dict[str, Any] = {}
    param_errors: dict[str, str] = {}
    fixed = each_value_checked(spec, params or {}, param_errors)
    if param_errors:
        errors["params"] = param_errors
    axes = _grid_checked(spec, grid, fixed, errors)
    costs = config_checked(config, errors)
    span_checked(start_ms, end_ms, errors)
    risk = risk_profile_checked(owner=owner, profile_id=risk_profile, config=config, errors=errors)
    if errors:
        raise BacktestInvalid(errors)
    risk_fields = risk_columns(risk)
    # The sweep shows the costs its runs use: the profile's stop and target when it has one.
    levels = {k: v for k, v in risk_fields.items() if k in ("stop_loss", "take_profit")}

    combinations, skipped = _combinations(spec, axes, fixed)
    start_ms, end_ms = span_clipped(
        symbol=symbol, timeframe=spec.base_timeframe, start_ms=start_ms, end_ms=end_ms
    )
    with transaction.atomic():
        active_runs_quota_checked(owner=owner, adding=len(combinations))
        sweep = BacktestSweep.objects.create(
            owner=owner,
            strategy=spec.key,
            params=fixed,
            grid=axes,
            skipped=skipped,
            symbol=symbol,
            timeframe=spec.base_timeframe,
            start_ms=start_ms,
            end_ms=end_ms,
            config={**costs, **levels},
            risk_profile_id=risk_fields.get("risk_profile_id"),
            risk_limits=risk_fields.get("risk_limits"),
        )
        runs = BacktestRun.objects.bulk_create(
            BacktestRun(
                owner=owner,
                strategy=spec.key,
                params=combination,
                symbol=symbol,
                timeframe=spec.base_timeframe,
                start_ms=start_ms,
                end_ms=end_ms,
                sweep=sweep,
                **{**config_columns(costs), **risk_fields},
            )
            for combination in combinations
        )
        runs_enqueue(run_ids=[run.pk for run in runs])
    return sweep


def _combinations(
    spec: StrategySpec, axes: Mapping[str, list[Any]], fixed: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every combination of the grid on top of `fixed` that passes the strategy's cross-field
    rules, and those that do not (with why); BacktestInvalid when none passes."""
    combinations, skipped = [], []
    names = list(axes)
    for values in itertools.product(*axes.values()):
        combination = dict(zip(names, values, strict=True))
        try:
            combinations.append(spec.validate_params({**fixed, **combination}))
        except InvalidParameters as error:
            skipped.append({"params": combination, "errors": error.errors})
    if not combinations:
        raise BacktestInvalid(
            {"grid": f"no combination passes the strategy's rules, e.g. {skipped[0]['errors']}"}
        )
    return combinations, skipped


def _grid_checked(
    spec: StrategySpec,
    grid: Mapping[str, Sequence[Any]],
    fixed: Mapping[str, Any],
    errors: dict[str, Any],
) -> dict[str, list[Any]]:
    """The grid's validated, de-duplicated value lists; problems into errors["grid"]."""
    if not isinstance(grid, Mapping) or not grid:
        errors["grid"] = "must be an object of parameter name: [values]"
        return {}
    grid_errors: dict[str, str] = {}
    axes: dict[str, list[Any]] = {}
    for name, values in grid.items():
        if name in fixed:
            grid_errors[name] = "also given in params: give it in one place"
            continue
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            grid_errors[name] = "must be a non-empty list of values"
            continue
        checked = []
        for value in values:
            value_errors: dict[str, str] = {}
            result = each_value_checked(spec, {name: value}, value_errors)
            if value_errors:
                grid_errors[name] = f"{value!r}: {value_errors[name]}"
                break
            checked.append(result[name])
        else:
            axes[name] = list(dict.fromkeys(checked))  # 50 and 50.0 are one run
    if grid_errors:
        errors["grid"] = grid_errors
        return {}
    # Counted before anything is built: a grid of a million combinations costs nothing to reject.
    count = math.prod(len(values) for values in axes.values())
    limit = settings.BACKTEST_MAX_SWEEP_RUNS
    if count > limit:
        errors["grid"] = f"{count} combinations; a sweep runs at most {limit}"
        return {}
    return axes
