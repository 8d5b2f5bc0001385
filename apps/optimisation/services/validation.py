"""The checks a study and a walk-forward share; every bad field into one BacktestInvalid (the
analytics app's: the API turns it into a 400 naming each field)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from apps.analytics.services.risk import risk_columns, risk_profile_checked
from apps.analytics.services.validation import (
    BacktestInvalid,
    QuotaExceeded,
    config_checked,
    each_value_checked,
    span_checked,
    strategy_checked,
)
from apps.datafeeds.models import Candle, Symbol
from apps.datafeeds.timeframes import timeframe_ms
from apps.strategies.registry import StrategySpec

from ..models import Sampler, Study, StudyStatus
from ..space import KPI_OBJECTIVES, SearchRange, grid_size, space_checked, widest_params


@dataclass(frozen=True)
class SearchSettings:
    """Validated settings of a search, as the Study/WalkForward columns take them."""

    spec: StrategySpec
    ranges: dict[str, SearchRange]
    columns: dict[str, Any]  # strategy, params, space, timeframe, config, risk_*, objective...

    @property
    def warmup_bars(self) -> int:
        params = widest_params(self.spec, self.ranges, self.columns["params"])
        return self.spec.base_warmup(params)


def search_checked(
    *,
    owner: AbstractBaseUser,
    strategy: str,
    start_ms: int,
    end_ms: int,
    space: Any,
    params: Mapping[str, Any] | None,
    config: Mapping[str, Any] | None,
    risk_profile: int | None,
    objective: str,
    min_trades: int,
    sampler: str,
    n_trials: int,
    seed: int | None,
) -> SearchSettings:
    spec = strategy_checked(strategy, owner=owner)
    config = spec.stops_defaulted(config, risk_profile=risk_profile)
    errors: dict[str, Any] = {}
    param_errors: dict[str, str] = {}
    fixed = each_value_checked(spec, params or {}, param_errors)
    if param_errors:
        errors["params"] = param_errors
    ranges = space_checked(spec, space, fixed, errors)
    if objective not in KPI_OBJECTIVES:
        errors["objective"] = f"unknown KPI '{objective}'; one of {', '.join(KPI_OBJECTIVES)}"
    if sampler not in Sampler.values:
        errors["sampler"] = f"one of {', '.join(Sampler.values)}"
    limit = settings.OPTIMISATION_MAX_TRIALS
    if not 1 <= n_trials <= limit:
        errors["n_trials"] = f"must be between 1 and {limit}"
    if min_trades < 0:
        errors["min_trades"] = "must not be negative"
    if ranges and sampler == Sampler.GRID:
        if (size := grid_size(ranges)) > limit:
            errors["space"] = f"the grid has {size} points; a study runs at most {limit} trials"
        else:
            n_trials = min(n_trials, size)  # a grid is done once every point is visited
    costs = config_checked(config, errors)
    span_checked(start_ms, end_ms, errors)
    risk = risk_profile_checked(owner=owner, profile_id=risk_profile, config=config, errors=errors)
    if errors:
        raise BacktestInvalid(errors)
    risk_fields = risk_columns(risk)
    levels = {k: v for k, v in risk_fields.items() if k in ("stop_loss", "take_profit")}
    return SearchSettings(
        spec=spec,
        ranges=ranges,
        columns={
            "strategy": spec.key,
            "params": fixed,
            "space": {name: r.as_json() for name, r in ranges.items()},
            "timeframe": spec.base_timeframe,
            "config": {**costs, **levels},
            "risk_profile_id": risk_fields.get("risk_profile_id"),
            "risk_limits": risk_fields.get("risk_limits"),
            "objective": objective,
            "min_trades": min_trades,
            "sampler": sampler,
            "n_trials": n_trials,
            "seed": seed,
        },
    )


def warmup_checked(
    *, search: SearchSettings, symbol: Symbol, start_ms: int, end_ms: int, field: str
) -> None:
    """BacktestInvalid naming `field` when the stored base candles of [start, end) are not more
    than the warm-up the widest searched parameters need: no trial could trade."""
    timeframe = search.spec.base_timeframe
    warmup = search.warmup_bars
    stored = Candle.objects.filter(
        symbol=symbol,
        timeframe=timeframe,
        open_time__gte=start_ms - warmup * timeframe_ms(timeframe),
        open_time__lt=end_ms,
    ).count()
    if stored <= warmup:
        raise BacktestInvalid(
            {
                field: f"{stored} {timeframe} candles stored from the warm-up's start to the "
                f"end; the widest parameters searched need {warmup} bars of warm-up before "
                "the first trade"
            }
        )


def active_studies_quota_checked(*, owner: AbstractBaseUser, adding: int) -> None:
    """Refuse `adding` studies past OPTIMISATION_MAX_ACTIVE_STUDIES running or paused; inside the
    creating transaction (the owner's row is locked, as for runs)."""
    limit = settings.OPTIMISATION_MAX_ACTIVE_STUDIES
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    active = Study.objects.filter(
        owner=owner, status__in=(StudyStatus.RUNNING, StudyStatus.PAUSED)
    ).count()
    if active + adding > limit:
        raise QuotaExceeded(
            f"You have {active} studies running or paused and asked for {adding} more; the "
            f"limit is {limit} per user. Wait for some to finish, or cancel them."
        )
