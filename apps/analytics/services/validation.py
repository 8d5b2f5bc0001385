"""Checks shared by run and sweep creation. Each collects every bad field into one dict, so a
client learns about all of them at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from apps.datafeeds.models import CandleSeries, Symbol
from apps.datafeeds.timeframes import bucket_next
from apps.strategies.registry import InvalidParameters, StrategySpec, strategy_spec

from ..engine import CONFIG_BOUNDS, BacktestConfig
from ..models import BacktestRun, BacktestStatus

CONFIG_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(BacktestConfig)}


class BacktestInvalid(ValueError):
    """Input that cannot make a backtest; `errors` maps each bad field to its message (a
    strategy's parameter errors are nested under "params", a sweep's grid errors under "grid")."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def strategy_checked(key: str, *, owner: AbstractBaseUser) -> StrategySpec:
    """The strategy of `key` (a user's own only for its owner)."""
    try:
        return strategy_spec(key, owner=owner)
    except LookupError as error:
        raise BacktestInvalid({"strategy": str(error)}) from error


def config_checked(config: Mapping[str, Any] | None, errors: dict[str, Any]) -> dict[str, Any]:
    """Defaults overridden by `config`; each bad field (type, unknown name, range) into errors."""
    values = dict(CONFIG_DEFAULTS)
    for name, value in (config or {}).items():
        if name not in values:
            errors[name] = "unknown setting"
        elif name == "allow_short":
            if not isinstance(value, bool):
                errors[name] = "must be true or false"
            values[name] = value
        elif message := CONFIG_BOUNDS[name].error(value):
            errors[name] = message
        else:
            values[name] = None if value is None else float(value)
    return values


def config_columns(config: Mapping[str, Any]) -> dict[str, Any]:
    """The run's configuration columns (they are named as BacktestConfig's fields)."""
    return {name: config[name] for name in CONFIG_DEFAULTS}


def span_checked(start_ms: int, end_ms: int, errors: dict[str, Any]) -> None:
    if start_ms >= end_ms:
        errors["end"] = "must be after start"


def span_clipped(*, symbol: Symbol, timeframe: str, start_ms: int, end_ms: int) -> tuple[int, int]:
    """[start, end) narrowed to the stored candles of (symbol, timeframe), so a run's work is
    bounded by what is stored whatever span was asked. A span that overlaps nothing stored is
    kept as asked: its run fails at once, saying what to fetch."""
    stored = (
        CandleSeries.objects.filter(symbol=symbol, timeframe=timeframe)
        .values_list("first_open_time", "last_open_time")
        .first()
    )
    if stored is None:
        return start_ms, end_ms
    first, last = stored
    stored_end = int(bucket_next(last, timeframe))  # the last candle's close
    if start_ms >= stored_end or end_ms <= first:
        return start_ms, end_ms
    return max(start_ms, first), min(end_ms, stored_end)


class QuotaExceeded(Exception):
    """A per-user limit from settings; the message says the limit in words."""


def active_runs_quota_checked(*, owner: AbstractBaseUser, adding: int) -> None:
    """Refuse `adding` more runs when the owner would have more than BACKTEST_MAX_ACTIVE_RUNS
    queued or running. Call inside the transaction that creates them: the owner's row is locked
    so that two concurrent requests cannot both slip under the limit."""
    limit = settings.BACKTEST_MAX_ACTIVE_RUNS
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    active = BacktestRun.objects.filter(
        owner=owner, status__in=(BacktestStatus.QUEUED, BacktestStatus.RUNNING)
    ).count()
    if active + adding > limit:
        raise QuotaExceeded(
            f"You have {active} backtests queued or running and asked for {adding} more; the "
            f"limit is {limit} per user. Wait for some to finish, or delete them."
        )


def params_checked(
    spec: StrategySpec, params: Mapping[str, Any] | None, errors: dict[str, Any]
) -> dict[str, Any]:
    """Every parameter (defaults filled in), or the registry's errors under "params"."""
    try:
        return spec.validate_params(params or {})
    except InvalidParameters as error:
        errors["params"] = error.errors
        return {}


def each_value_checked(
    spec: StrategySpec, values: Mapping[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """Each value against its own bounds only (cross-field rules need the whole combination)."""
    known = {p.name: p for p in spec.params}
    checked = {}
    for name, value in values.items():
        if name not in known:
            errors[name] = "unknown parameter"
            continue
        try:
            checked[name] = known[name].validate(value)
        except ValueError as error:
            errors[name] = str(error)
    return checked
