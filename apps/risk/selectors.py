"""Reads of risk profiles. Anyone else's profile is indistinguishable from a missing one."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from .models import RiskProfile


def risk_profile_list(*, owner: AbstractBaseUser) -> QuerySet[RiskProfile]:
    """The owner's profiles, the default first, then by name."""
    return RiskProfile.objects.filter(owner=owner).order_by("-is_default", "name", "id")


def risk_profile_find(*, owner: AbstractBaseUser, profile_id: int) -> RiskProfile | None:
    return RiskProfile.objects.filter(owner=owner, pk=profile_id).first()


def risk_profile_get(*, owner: AbstractBaseUser, profile_id: int) -> RiskProfile:
    profile = risk_profile_find(owner=owner, profile_id=profile_id)
    if profile is None:
        raise Http404(f"No risk profile {profile_id}.")
    return profile


def risk_profile_default(*, owner: AbstractBaseUser) -> RiskProfile | None:
    """The owner's default profile (None when they have none yet)."""
    return RiskProfile.objects.filter(owner=owner, is_default=True).first()
