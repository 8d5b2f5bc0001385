"""Search spaces against the strategy's schema."""

from __future__ import annotations

from apps.optimisation.space import SearchRange, grid_size, space_checked, widest_params
from apps.strategies.registry import strategy_spec


def _checked(space, fixed=None):
    errors: dict = {}
    ranges = space_checked(strategy_spec("hma-sma"), space, fixed or {}, errors)
    return ranges, errors


def test_a_range_outside_the_schema_bounds_names_the_parameter():
    _, errors = _checked({"sma_period": {"low": 1, "high": 300}})
    assert "outside the parameter's bounds [2, 1000]" in errors["space"]["sma_period"]


def test_unknown_parameter_and_bad_step():
    _, errors = _checked(
        {"nope": {"low": 1, "high": 2}, "hma_period": {"low": 10, "high": 20, "step": 2.5}}
    )
    assert "unknown parameter" in errors["space"]["nope"]
    assert "whole number" in errors["space"]["hma_period"]


def test_integer_range_snaps_high_to_the_step():
    ranges, errors = _checked({"sma_period": {"low": 100, "high": 305, "step": 50}})
    assert errors == {}
    assert ranges["sma_period"] == SearchRange("sma_period", int, 100, 300, 50)
    assert ranges["sma_period"].grid() == [100, 150, 200, 250, 300]
    assert grid_size(ranges) == 5


def test_widest_params_take_the_longest_warmup():
    ranges, _ = _checked(
        {"sma_period": {"low": 100, "high": 300, "step": 50}, "hma_period": {"low": 20, "high": 80}}
    )
    widest = widest_params(strategy_spec("hma-sma"), ranges, {})
    assert widest == {"sma_period": 300, "hma_period": 80}
