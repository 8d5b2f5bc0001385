"""Walk-forward windows checked by hand, and the stitching of out-of-sample curves."""

from __future__ import annotations

import numpy as np
import pytest

from apps.optimisation.stitching import (
    parameter_stability,
    stitched_equity,
    walk_forward_efficiency,
)
from apps.optimisation.windows import Window, walk_forward_windows, windows_errors

DAY = 86_400_000


def test_rolling_windows_by_hand():
    """Span of 10 days, in-sample 4, out-of-sample 2, step 2: IS [0,4) OOS [4,6); IS [2,6) OOS
    [6,8); IS [4,8) OOS [8,10); a fourth would end its OOS at 12 > 10."""
    windows = walk_forward_windows(
        start_ms=0,
        end_ms=10 * DAY,
        in_sample_ms=4 * DAY,
        out_of_sample_ms=2 * DAY,
        step_ms=2 * DAY,
        mode="rolling",
    )
    assert windows == [
        Window(0, 0, 4 * DAY, 6 * DAY),
        Window(1, 2 * DAY, 6 * DAY, 8 * DAY),
        Window(2, 4 * DAY, 8 * DAY, 10 * DAY),
    ]


def test_anchored_windows_by_hand():
    """Same span, anchored: every in-sample stretch starts at 0 and grows by the step."""
    windows = walk_forward_windows(
        start_ms=0,
        end_ms=10 * DAY,
        in_sample_ms=4 * DAY,
        out_of_sample_ms=2 * DAY,
        step_ms=2 * DAY,
        mode="anchored",
    )
    assert windows == [
        Window(0, 0, 4 * DAY, 6 * DAY),
        Window(1, 0, 6 * DAY, 8 * DAY),
        Window(2, 0, 8 * DAY, 10 * DAY),
    ]


def test_window_errors_name_the_field():
    base = {"start_ms": 0, "end_ms": 10 * DAY}
    too_long = windows_errors(
        in_sample_ms=9 * DAY, out_of_sample_ms=2 * DAY, step_ms=2 * DAY, **base
    )
    assert "longer than the data" in too_long["in_sample"]
    overlapping = windows_errors(
        in_sample_ms=4 * DAY, out_of_sample_ms=2 * DAY, step_ms=DAY, **base
    )
    assert "out-of-sample" in overlapping["step"]
    assert windows_errors(in_sample_ms=0, out_of_sample_ms=DAY, step_ms=DAY, **base) == {
        "in_sample": "must be positive"
    }


def test_stitched_equity_chains_the_windows():
    """Window 1 goes 100 -> 110 (+10%), window 2 100 -> 90 (-10%): stitched, the second starts
    at 110 and ends at 99."""
    first = (np.array([0, 1]), np.array([105.0, 110.0]))
    second = (np.array([2, 3]), np.array([95.0, 90.0]))
    times, equity = stitched_equity([first, second], 100.0)
    assert times.tolist() == [0, 1, 2, 3]
    assert equity.tolist() == pytest.approx([105.0, 110.0, 104.5, 99.0])


def test_walk_forward_efficiency():
    assert walk_forward_efficiency(0.1, [0.2, 0.3]) == pytest.approx(0.4)
    assert walk_forward_efficiency(0.1, [-0.2, 0.1]) is None  # in-sample mean below zero
    assert walk_forward_efficiency(None, [0.2]) is None


def test_parameter_stability():
    space = {"sma_period": {"low": 100, "high": 300, "step": 10}}
    same = parameter_stability([{"sma_period": 200}] * 3, space)["sma_period"]
    assert same["spread"] == 0 and same["values"] == [200, 200, 200]
    moving = parameter_stability([{"sma_period": 100}, {"sma_period": 300}, None], space)
    assert moving["sma_period"]["spread"] == pytest.approx(100 / 200)
