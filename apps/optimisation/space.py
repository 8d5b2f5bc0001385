"""A study's search space: for each searched parameter a range [low, high] inside the strategy's
own bounds, with an optional step (integers step by 1 at least). Pure: no Django, no Optuna."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from apps.strategies.registry import Param, StrategySpec

KPI_OBJECTIVES = ("sharpe", "sortino", "calmar", "total_return", "profit_factor")


@dataclass(frozen=True)
class SearchRange:
    name: str
    kind: type  # int or float, as the strategy declares the parameter
    low: int | float
    high: int | float
    step: int | float | None  # None: continuous (floats only)

    def grid(self) -> list[int | float]:
        """Every value a grid search visits: low, low + step, ... up to high."""
        step = self.step if self.step is not None else (self.high - self.low) / 10 or 1
        count = int(math.floor((self.high - self.low) / step + 1e-9)) + 1
        values = self.low + step * np.arange(count)
        return [self.kind(round(v, 12)) for v in values.tolist()]

    def as_json(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "step": self.step}


def space_checked(
    spec: StrategySpec, space: Any, fixed: Mapping[str, Any], errors: dict[str, Any]
) -> dict[str, SearchRange]:
    """The searched ranges of `space` ({name: {low, high, step?}}), each inside the parameter's
    schema bounds; every problem into errors["space"] (keyed by parameter)."""
    if not isinstance(space, Mapping) or not space:
        errors["space"] = "must be an object of parameter name: {low, high, step}"
        return {}
    known = {p.name: p for p in spec.params}
    problems: dict[str, str] = {}
    ranges: dict[str, SearchRange] = {}
    for name, bounds in space.items():
        if name not in known:
            problems[name] = f"unknown parameter; {spec.key} has {', '.join(known)}"
        elif name in fixed:
            problems[name] = "also given in params: give it in one place"
        elif (message := _range_error(known[name], bounds)) is not None:
            problems[name] = message
        else:
            ranges[name] = _range(known[name], bounds)
    if problems:
        errors["space"] = problems
        return {}
    return ranges


def _range_error(param: Param, bounds: Any) -> str | None:
    if not isinstance(bounds, Mapping) or "low" not in bounds or "high" not in bounds:
        return "must be an object {low, high, step}"
    extra = set(bounds) - {"low", "high", "step"}
    if extra:
        return f"unknown keys {sorted(extra)}; give low, high and step"
    for key in ("low", "high"):
        value = bounds[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return f"{key} must be a number"
        if param.kind is int and not float(value).is_integer():
            return f"{key} must be a whole number ({param.name} is an integer)"
        if not param.minimum <= value <= param.maximum:
            return (
                f"{key} {value} is outside the parameter's bounds "
                f"[{param.minimum}, {param.maximum}]"
            )
    if bounds["low"] >= bounds["high"]:
        return "low must be below high"
    step = bounds.get("step")
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, int | float) or not step > 0:
            return "step must be a positive number"
        if param.kind is int and not float(step).is_integer():
            return "step must be a whole number for an integer parameter"
        if step > bounds["high"] - bounds["low"]:
            return "step must not exceed high - low"
    return None


def _range(param: Param, bounds: Mapping[str, Any]) -> SearchRange:
    step = bounds.get("step")
    if param.kind is int:
        step = int(step) if step is not None else 1
        # Optuna's int distribution wants high on the grid of low + k * step.
        high = int(bounds["low"]) + (int(bounds["high"]) - int(bounds["low"])) // step * step
        return SearchRange(param.name, int, int(bounds["low"]), high, step)
    step = float(step) if step is not None else None
    low, high = float(bounds["low"]), float(bounds["high"])
    if step is not None:
        high = low + math.floor((high - low) / step + 1e-9) * step
    return SearchRange(param.name, float, low, high, step)


def space_of_json(spec: StrategySpec, stored: Mapping[str, Any]) -> dict[str, SearchRange]:
    """A stored study's space back as ranges (it was checked when the study was created)."""
    kinds = {p.name: p.kind for p in spec.params}
    return {
        name: SearchRange(name, kinds[name], b["low"], b["high"], b.get("step"))
        for name, b in stored.items()
    }


def grid_size(ranges: Mapping[str, SearchRange]) -> int:
    return math.prod(len(r.grid()) for r in ranges.values())


def widest_params(
    spec: StrategySpec, ranges: Mapping[str, SearchRange], fixed: Mapping[str, Any]
) -> dict[str, Any]:
    """The parameters whose warm-up is the longest the search can ask for: each searched one at
    the end of its range that lengthens the warm-up most (the others at their fixed values), so
    inputs read once cover every trial. Cross-field rules are not applied: only warm-ups are
    read from these."""
    params = {**spec.defaults(), **fixed, **{n: r.low for n, r in ranges.items()}}
    for name, r in ranges.items():
        high = {**params, name: r.high}
        longer = zip(_warmup(spec, high), _warmup(spec, params), strict=True)
        if any(a > b for a, b in longer):
            params = high
    return params


def _warmup(spec: StrategySpec, params: Mapping[str, Any]) -> tuple[int, int]:
    return (spec.base_warmup(params), spec.context_warmup(params))
