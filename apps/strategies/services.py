"""Writes of saved strategies; parameters always pass the registry's validation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.models import CandleSeries
from apps.datafeeds.simulator import simulate_rows

from .checks import strategy_check, strategy_check_inputs
from .language.compiler import Program, strategy_compile
from .language.spec import program_spec
from .models import Strategy, StrategyDefinition, StrategyVersion
from .registry import StrategySpec, strategy_spec
from .usage import strategy_holders
from .user_strategies import user_key, version_label


def strategy_create(
    *, owner: AbstractBaseUser, key: str, name: str, params: dict[str, Any], is_active: bool = True
) -> Strategy:
    validated = strategy_spec(key, owner=owner).validate_params(params)
    return Strategy.objects.create(
        owner=owner, key=key, name=name, params=validated, is_active=is_active
    )


def strategy_update(*, strategy: Strategy, **changes: Any) -> Strategy:
    key = changes.get("key", strategy.key)
    if "params" in changes or "key" in changes:
        changes["params"] = strategy_spec(key, owner=strategy.owner).validate_params(
            changes.get("params", strategy.params)
        )
    for field, value in changes.items():
        setattr(strategy, field, value)
    strategy.save()
    return strategy


# --- Users' own strategies (the strategy language) --------------------------------------------


class StrategyInUse(Exception):
    """A strategy that running bots use cannot be deleted; the message names them."""


CHECK_BARS = 20_000  # base bars the check on save reads (the warm-up limit is 10,000)
CHECK_SECONDS = 1.0  # its budget for the lookahead cut points


def strategy_definition_create(*, owner: AbstractBaseUser, name: str, source: str):
    """A new strategy at version 1. LanguageError (where and why) when the text does not
    compile; nothing is stored then."""
    program = strategy_compile(source)
    with transaction.atomic():
        definition = StrategyDefinition.objects.create(owner=owner, name=name, version=1)
        _version_add(definition, 1, source, program)
    return definition


def strategy_definition_update(
    *, definition: StrategyDefinition, name: str | None = None, source: str | None = None
) -> StrategyDefinition:
    """Rename, and/or add a version when the text changes (an unchanged text adds none)."""
    program = None
    if source is not None:
        current = definition.versions.get(version=definition.version).source
        program = strategy_compile(source) if source != current else None
    with transaction.atomic():
        definition = StrategyDefinition.objects.select_for_update().get(pk=definition.pk)
        if name is not None:
            definition.name = name
        if program is not None:
            definition.version += 1
            _version_add(definition, definition.version, source, program)
        definition.save()
    return definition


def strategy_definition_delete(*, definition: StrategyDefinition) -> None:
    """Hide the strategy; its versions stay for the runs and bots that used them. Refused
    (StrategyInUse) while a running bot uses any of its versions."""
    with transaction.atomic():
        definition = StrategyDefinition.objects.select_for_update().get(pk=definition.pk)
        keys = [
            user_key(definition_id=definition.pk, version=v)
            for v in definition.versions.values_list("version", flat=True)
        ]
        if holders := strategy_holders(keys=keys):
            one = len(holders) == 1
            raise StrategyInUse(
                f"{', '.join(holders)} {'is' if one else 'are'} running with this strategy: "
                f"stop {'it' if one else 'them'} first."
            )
        definition.deleted_at = timezone.now()
        definition.save(update_fields=["deleted_at", "updated_at"])


def _version_add(
    definition: StrategyDefinition, version: int, source: str, program: Program
) -> StrategyVersion:
    key = user_key(definition_id=definition.pk, version=version)
    spec = program_spec(program, key=key, name=version_label(definition, version))
    return StrategyVersion.objects.create(
        definition=definition,
        version=version,
        source=source,
        schema=program.schema(),
        check_report=strategy_saved_check(spec),
    )


def strategy_saved_check(spec: StrategySpec) -> dict[str, Any]:
    """The lookahead and warm-up check on save: on the stored market with the most candles of
    the strategy's timeframe, or on a simulated one when none is stored."""
    series = (
        CandleSeries.objects.filter(timeframe=spec.base_timeframe)
        .select_related("symbol")
        .order_by("-count", "symbol_id")
        .first()
    )
    params = spec.defaults()
    if series is not None:
        inputs = strategy_check_inputs(
            spec=spec, params=params, symbol=series.symbol, bars=CHECK_BARS
        )
        base, context = inputs.base, inputs.context
        data = f"{series.symbol.name} on {series.symbol.exchange}"
    else:
        base, context = _simulated(spec.base_timeframe), {}
        data = "a simulated market (no candles of this timeframe are stored)"
    report = strategy_check(
        spec=spec, params=params, base=base, context=context, time_budget_s=CHECK_SECONDS
    )
    return {**report.as_dict(), "data": data}


def _simulated(timeframe: str) -> CandleArrays:
    rows = simulate_rows(timeframe=timeframe, count=CHECK_BARS, end_ms=1_700_000_000_000)
    return CandleArrays.from_rows(rows)
