"""The risk profile's fields: bounds, defaults and help texts, in one place (pure, no Django).

The model's check constraints, the API's validation, the `/api/risk/profile-fields/` endpoint
(what the browser form shows) and `limits_errors` all read this table, so they cannot disagree.
Fractions, not percent: 0.01 = 1%.
"""

from __future__ import annotations

from typing import Any

from config.bounds import Bound

PROFILE_BOUNDS: dict[str, Bound] = {
    "risk_per_trade": Bound(
        0,
        0.1,
        False,
        True,
        0.01,
        "Fraction of equity lost if the stop is hit (0.01 = 1%): size = equity x risk / stop "
        "distance.",
    ),
    "max_position_fraction": Bound(
        0,
        10,
        False,
        True,
        0.5,
        "Cap on one position's notional as a fraction of equity (0.5 = half); on spot the "
        "notional never exceeds the equity whatever this says.",
    ),
    "stop_loss": Bound(
        0,
        0.5,
        False,
        True,
        0.02,
        "Stop-loss distance from the entry price, as a fraction (0.02 = 2%).",
    ),
    "take_profit": Bound(
        0,
        10,
        False,
        True,
        0.04,
        "Take-profit distance from the entry price, as a fraction; null: no target.",
        nullable=True,
    ),
    "max_daily_loss": Bound(
        0,
        1,
        False,
        False,
        0.03,
        "Realised loss, as a fraction of the UTC day's starting equity, at which no new entry "
        "is taken until the next UTC day; null: no daily limit.",
        nullable=True,
    ),
    "max_open_positions": Bound(
        1,
        100,
        True,
        True,
        3,
        "Most positions open at once across all your running bots.",
        integer=True,
    ),
    "max_drawdown": Bound(
        0,
        1,
        False,
        False,
        0.2,
        "Kill switch: fall of equity from its peak (0.2 = 20%) at which the bot stops and says "
        "why; null: no kill switch.",
        nullable=True,
    ),
    "cooldown_bars": Bound(
        0,
        10_000,
        True,
        True,
        0,
        "No entry for this many bars after a stop-loss; 0: no cooldown.",
        integer=True,
    ),
    "leverage": Bound(
        1,
        10,
        True,
        True,
        1,
        "Most total notional per unit of equity; spot markets always trade at 1.",
    ),
}
PROFILE_FIELDS = tuple(PROFILE_BOUNDS)


def profile_values_errors(values: dict[str, Any]) -> dict[str, str]:
    """Each field of `values` that breaks its bound, with the message (empty: all valid)."""
    errors = {}
    for name, value in values.items():
        bound = PROFILE_BOUNDS.get(name)
        message = "unknown field" if bound is None else bound.error(value)
        if message:
            errors[name] = message
    return errors


def profile_defaults() -> dict[str, Any]:
    return {name: bound.default for name, bound in PROFILE_BOUNDS.items()}
