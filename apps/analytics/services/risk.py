"""Risk profiles on backtests (docs/risk.md): check the chosen profile, copy its values onto the
run, give the engine its limits back, and turn the engine's report into the stored JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from apps.risk.bounds import PROFILE_FIELDS
from apps.risk.check import RiskLimits
from apps.risk.choice import risk_profile_chosen, risk_profile_values

from ..engine import BacktestResult


def risk_profile_checked(
    *,
    owner: AbstractBaseUser,
    profile_id: int | None,
    config: Mapping[str, Any] | None,
    errors: dict[str, Any],
) -> dict[str, Any] | None:
    """The profile's copy to store on the run ({"id", "name", values...}), None without one;
    problems into `errors` (the profile must be the owner's)."""
    profile = risk_profile_chosen(owner=owner, profile_id=profile_id, config=config, errors=errors)
    return risk_profile_values(profile)


def risk_columns(snapshot: dict[str, Any] | None) -> dict[str, Any]:
    """The run's columns for a profile: the profile itself, its copy, and its stop and target in
    the run's own stop_loss / take_profit (what the engine applies)."""
    if snapshot is None:
        return {}
    return {
        "risk_profile_id": snapshot["id"],
        "risk_limits": snapshot,
        "stop_loss": snapshot["stop_loss"],
        "take_profit": snapshot["take_profit"],
    }


def risk_limits_of(snapshot: Mapping[str, Any] | None) -> RiskLimits | None:
    """The engine's limits from a run's copy (None: no profile)."""
    if snapshot is None:
        return None
    return RiskLimits(**{name: snapshot[name] for name in PROFILE_FIELDS})


def risk_report_json(result: BacktestResult) -> dict[str, Any] | None:
    """What the run stores: entries blocked per rule (and an example of each in words), what set
    the sizes and their range (units of the base asset), and the kill switch (time in epoch
    seconds)."""
    report = result.risk
    if report is None:
        return None
    sizes = result.trade_table.size
    kill = report.kill_switch
    return {
        "blocked": report.blocked,
        "blocked_total": report.blocked_total,
        "examples": report.examples,
        "sized_by": report.sized_by,
        "sizes": None
        if not len(sizes)
        else {
            "min": float(sizes.min()),
            "max": float(sizes.max()),
            "mean": float(sizes.mean()),
        },
        "kill_switch": None
        if kill is None
        else {"time": kill.time_ms // 1000, "bar": kill.bar, "reason": kill.reason},
    }
