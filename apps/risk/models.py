"""A user's risk profiles (SPEC §9): several, named, exactly one default.

The bounds, defaults and help texts come from bounds.PROFILE_BOUNDS; each bound is also a check
constraint, so no write path (admin, shell, a future bug) can store an out-of-range value. At most
one default per user is a partial unique index; "at least one while any exists" is kept by the
services (the first profile becomes the default, deleting the default promotes another).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .bounds import PROFILE_BOUNDS, Bound
from .check import RiskLimits


def _field(bound: Bound) -> models.Field:
    kwargs = {"default": bound.default, "help_text": bound.help_text}
    if bound.nullable:
        kwargs.update(null=True, blank=True)
    return models.IntegerField(**kwargs) if bound.integer else models.FloatField(**kwargs)


def _bound_check(name: str, bound: Bound) -> models.CheckConstraint:
    low = models.Q(**{f"{name}__gte" if bound.low_inclusive else f"{name}__gt": bound.low})
    high = models.Q(**{f"{name}__lte" if bound.high_inclusive else f"{name}__lt": bound.high})
    condition = low & high
    if bound.nullable:
        condition |= models.Q(**{f"{name}__isnull": True})
    return models.CheckConstraint(condition=condition, name=f"risk_profile_{name}_range")


class RiskProfile(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="risk_profiles"
    )
    name = models.CharField(max_length=80)
    is_default = models.BooleanField(
        default=False, help_text="the profile used when none is chosen; exactly one per user"
    )
    risk_per_trade = _field(PROFILE_BOUNDS["risk_per_trade"])
    max_position_fraction = _field(PROFILE_BOUNDS["max_position_fraction"])
    stop_loss = _field(PROFILE_BOUNDS["stop_loss"])
    take_profit = _field(PROFILE_BOUNDS["take_profit"])
    max_daily_loss = _field(PROFILE_BOUNDS["max_daily_loss"])
    max_open_positions = _field(PROFILE_BOUNDS["max_open_positions"])
    max_drawdown = _field(PROFILE_BOUNDS["max_drawdown"])
    cooldown_bars = _field(PROFILE_BOUNDS["cooldown_bars"])
    leverage = _field(PROFILE_BOUNDS["leverage"])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "risk_profiles"
        ordering = ["owner", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="risk_profile_owner_name"),
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(is_default=True),
                name="risk_profile_one_default",
            ),
            *(_bound_check(name, bound) for name, bound in PROFILE_BOUNDS.items()),
        ]

    def __str__(self) -> str:
        return f"{self.name}{' (default)' if self.is_default else ''}"

    def limits(self) -> RiskLimits:
        """The values risk_check takes."""
        return RiskLimits(**{name: getattr(self, name) for name in PROFILE_BOUNDS})
