"""A risk profile chosen for a backtest or a bot (docs/risk.md): it must be the owner's, and
the settings it sets may not be given beside it; and the copy of its values that a run or a
bot keeps (a profile edited later never changes them under their feet)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from .bounds import PROFILE_FIELDS
from .models import RiskProfile
from .selectors import risk_profile_find

# Set by the profile when one is given: giving them too would be ambiguous.
PROFILE_SETS = ("size", "stop_loss", "take_profit")


def risk_profile_chosen(
    *,
    owner: AbstractBaseUser,
    profile_id: Any,
    config: Mapping[str, Any] | None,
    errors: dict[str, Any],
) -> RiskProfile | None:
    """The owner's profile `profile_id` (None when none is asked, or on a problem, which goes
    into `errors` under the field it is about). Anyone else's answers as a missing one."""
    if profile_id is None:
        return None
    if isinstance(profile_id, bool) or not isinstance(profile_id, int):
        errors["risk_profile"] = "must be the id of one of your risk profiles"
        return None
    for name in PROFILE_SETS:
        if name in (config or {}):
            errors[name] = "set by the risk profile: leave it out"
    profile = risk_profile_find(owner=owner, profile_id=profile_id)
    if profile is None:
        errors["risk_profile"] = f"you have no risk profile {profile_id}"
    return profile


def risk_profile_values(profile: RiskProfile | None) -> dict[str, Any] | None:
    """The copy a run or a bot keeps: {"id", "name", and every value}; None without one."""
    if profile is None:
        return None
    return {
        "id": profile.pk,
        "name": profile.name,
        **{name: getattr(profile, name) for name in PROFILE_FIELDS},
    }
