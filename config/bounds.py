"""Numeric bounds of every user input, in one place (pure, no Django): what a value may be so
that it can be stored and computed with. A serializer field built from a Bound shows it in the
API schema (config/validation.py); the services check values with `Bound.error`, which names
the rule; tests/test_input_bounds.py fails when a number reachable from the API has no bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# Every money and quantity column (apps/execution/models.money_field): 40 digits, 24 of them
# decimals, so a stored value must stay below 10**16.
MONEY_DIGITS = 40
MONEY_PLACES = 24
MONEY_LIMIT = 10.0 ** (MONEY_DIGITS - MONEY_PLACES)
# Starting capital at most a ten-thousandth of that: equity may grow 10,000-fold (and fees and
# notionals pile up) before any stored sum nears the column's limit.
CAPITAL_MAX = MONEY_LIMIT / 10_000
# Database ids (bigint) a client may name; larger numbers are refused, never sent to a query.
ID_MAX = 2**63 - 1


@dataclass(frozen=True)
class Bound:
    low: float
    high: float
    low_inclusive: bool
    high_inclusive: bool
    default: Any
    help_text: str
    nullable: bool = False  # None switches the rule off
    integer: bool = False

    def describe(self) -> str:
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        text = f"{left}{self.low:g}, {self.high:g}{right}"
        return f"must be in {text}" + (" or null (off)" if self.nullable else "")

    def error(self, value: Any) -> str | None:
        """Why `value` is not allowed, or None when it is."""
        if value is None:
            return None if self.nullable else "must not be null"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a whole number" if self.integer else "must be a number"
        if isinstance(value, float) and not math.isfinite(value):
            return self.describe()
        if self.integer and isinstance(value, float) and not value.is_integer():
            return "must be a whole number"
        above_low = value >= self.low if self.low_inclusive else value > self.low
        below_high = value <= self.high if self.high_inclusive else value < self.high
        return None if above_low and below_high else self.describe()


ID_BOUND = Bound(1, ID_MAX, True, True, None, "the id of one of your rows", integer=True)

# A stop's distance from the entry fill price, as a fraction: the engine's settings, risk
# profiles and a strategy's own `stop_loss = 2%` read these two, so each refuses the same values.
STOP_LOSS_BOUND = Bound(
    0, 1, False, False, None, "fraction from the entry fill price", nullable=True
)
TAKE_PROFIT_BOUND = Bound(
    0, 10, False, True, None, "fraction from the entry fill price", nullable=True
)
