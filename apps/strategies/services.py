"""Writes of saved strategies; parameters always pass the registry's validation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from .models import Strategy
from .registry import strategy_spec


def strategy_create(
    *, owner: AbstractBaseUser, key: str, name: str, params: dict[str, Any], is_active: bool = True
) -> Strategy:
    validated = strategy_spec(key).validate_params(params)
    return Strategy.objects.create(
        owner=owner, key=key, name=name, params=validated, is_active=is_active
    )


def strategy_update(*, strategy: Strategy, **changes: Any) -> Strategy:
    key = changes.get("key", strategy.key)
    if "params" in changes or "key" in changes:
        changes["params"] = strategy_spec(key).validate_params(
            changes.get("params", strategy.params)
        )
    for field, value in changes.items():
        setattr(strategy, field, value)
    strategy.save()
    return strategy
