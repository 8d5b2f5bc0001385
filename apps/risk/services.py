"""Writes of risk profiles: create, update, delete, and which one is the default.

Every write first locks the owner's user row, so that two requests of one user (two creates of a
first profile, two "make default") run one after the other: the partial unique index then never
has to refuse a second default, and "exactly one default" holds after every write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .bounds import profile_defaults, profile_values_errors
from .models import RiskProfile
from .usage import risk_profile_holders

NAME_MAX = 80


class RiskProfileInvalid(ValueError):
    """`errors` maps each bad field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class RiskProfileInUse(Exception):
    """The profile is held (by a running bot): `holders` says by what, in words."""

    def __init__(self, profile: RiskProfile, holders: list[str]):
        self.holders = holders
        super().__init__(
            f"Risk profile '{profile.name}' is in use by {', '.join(holders)}: stop it first."
        )


def risk_profile_create(
    *,
    owner: AbstractBaseUser,
    name: str,
    values: Mapping[str, Any] | None = None,
    is_default: bool = False,
) -> RiskProfile:
    """A profile with `values` over the defaults. The user's first profile is the default
    whatever `is_default` says; `is_default=True` moves the default to this one."""
    fields = {**profile_defaults(), **(values or {})}
    errors = profile_values_errors(fields)
    name = _name_checked(name, errors)
    if errors:
        raise RiskProfileInvalid(errors)
    with transaction.atomic():
        _lock_owner(owner)
        _name_free(owner, name, exclude_id=None)
        mine = RiskProfile.objects.filter(owner=owner)
        make_default = is_default or not mine.exists()
        if make_default:
            mine.filter(is_default=True).update(is_default=False)
        return RiskProfile.objects.create(owner=owner, name=name, is_default=make_default, **fields)


def risk_profile_update(
    *,
    profile: RiskProfile,
    name: str | None = None,
    values: Mapping[str, Any] | None = None,
    is_default: bool | None = None,
) -> RiskProfile:
    """Change the given fields. `is_default=True` makes it the default (the previous one stops
    being it); `False` on the default is refused: make another one the default instead."""
    values = dict(values or {})
    errors = profile_values_errors(values)
    if name is not None:
        name = _name_checked(name, errors)
    if is_default is False and profile.is_default:
        errors["is_default"] = "this is your default profile: make another one the default"
    if errors:
        raise RiskProfileInvalid(errors)
    with transaction.atomic():
        _lock_owner(profile.owner)
        if name is not None:
            _name_free(profile.owner, name, exclude_id=profile.pk)
            profile.name = name
        for field, value in values.items():
            setattr(profile, field, value)
        if is_default and not profile.is_default:
            RiskProfile.objects.filter(owner=profile.owner, is_default=True).update(
                is_default=False
            )
            profile.is_default = True
        profile.save()
    return profile


def risk_profile_delete(*, profile: RiskProfile) -> None:
    """Delete it unless something holds it (RiskProfileInUse naming what). Deleting the default
    makes the oldest remaining profile the default. Backtests that used it keep a copy of its
    values."""
    with transaction.atomic():
        _lock_owner(profile.owner)
        locked = RiskProfile.objects.select_for_update().filter(pk=profile.pk).first()
        if locked is None:
            return  # already gone
        holders = risk_profile_holders(profile_id=locked.pk)
        if holders:
            raise RiskProfileInUse(locked, holders)
        locked.delete()
        if locked.is_default:
            remaining = RiskProfile.objects.filter(owner=profile.owner).order_by("created_at", "id")
            heir = remaining.values_list("pk", flat=True).first()
            if heir is not None:
                RiskProfile.objects.filter(pk=heir).update(is_default=True)


def _lock_owner(owner: AbstractBaseUser) -> None:
    list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))


def _name_checked(name: Any, errors: dict[str, str]) -> str:
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "must not be blank"
        return ""
    name = name.strip()
    if len(name) > NAME_MAX:
        errors["name"] = f"at most {NAME_MAX} characters"
    return name


def _name_free(owner: AbstractBaseUser, name: str, *, exclude_id: int | None) -> None:
    taken = RiskProfile.objects.filter(owner=owner, name=name).exclude(pk=exclude_id)
    if taken.exists():
        raise RiskProfileInvalid({"name": f"you already have a risk profile named '{name}'"})
