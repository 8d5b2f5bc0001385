"""The stop/target rule over many windows at once (engine/rules.stop_or_target_hits), against a
bar-by-bar reading of the rule as docs/backtesting.md states it."""

from __future__ import annotations

import numpy as np
import pytest

from apps.analytics.engine import rules
from apps.analytics.engine.trades import LONG, SHORT, STOP_LOSS, TAKE_PROFIT


def bar_by_bar(low, high, bar_open, side, stop, target, first, last):
    """Walk the window one bar at a time: the stop first, touching fills, a gap fills at the
    open."""
    for bar in range(first, last + 1):
        if stop is not None and (low[bar] <= stop if side == LONG else high[bar] >= stop):
            worse = min if side == LONG else max
            return bar, worse(bar_open[bar], stop), STOP_LOSS
        if target is not None and (high[bar] >= target if side == LONG else low[bar] <= target):
            better = max if side == LONG else min
            return bar, better(bar_open[bar], target), TAKE_PROFIT
    return None


def random_market(rng, bars: int):
    bar_open = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, bars)))
    close = bar_open * np.exp(rng.normal(0, 0.01, bars))
    wick = np.abs(rng.normal(0, 0.006, (2, bars)))
    high = np.maximum(bar_open, close) * (1 + wick[0])
    low = np.minimum(bar_open, close) * (1 - wick[1])
    return low, high, bar_open


@pytest.mark.parametrize("side", [LONG, SHORT])
@pytest.mark.parametrize("levels", ["both", "stop", "target"])
def test_every_window_gets_the_bar_by_bar_answer(side, levels):
    rng = np.random.default_rng(7 + side)
    low, high, bar_open = random_market(rng, 600)
    windows = 300
    first = rng.integers(0, 600, windows)
    last = np.minimum(first + rng.integers(-1, 80, windows), 599)  # some empty (last < first)
    entry = bar_open[first] * np.exp(rng.normal(0, 0.01, windows))
    stop = entry * (1 - side * rng.uniform(0.002, 0.03, windows)) if levels != "target" else None
    target = entry * (1 + side * rng.uniform(0.002, 0.03, windows)) if levels != "stop" else None
    # Some levels exactly at the first bar's extreme: touching a level fills it.
    adverse, favourable = (low, high) if side == LONG else (high, low)
    touch = rng.random(windows) < 0.15
    if stop is not None:
        stop[touch] = adverse[first[touch]]
    if target is not None:
        target[touch] = favourable[first[touch]]
    hits = rules.stop_or_target_hits(low, high, bar_open, side, stop, target, first, last)
    outcomes = {STOP_LOSS: 0, TAKE_PROFIT: 0, None: 0}
    for k in range(windows):
        expected = bar_by_bar(
            low, high, bar_open, side,
            None if stop is None else stop[k], None if target is None else target[k],
            first[k], last[k],
        )  # fmt: skip
        one = rules.stop_or_target_hit(
            low, high, bar_open, side,
            None if stop is None else stop[k], None if target is None else target[k],
            first=first[k], last=last[k],
        )  # fmt: skip
        assert one == expected
        got = None if hits.bar[k] < 0 else (hits.bar[k], hits.price[k], hits.reason[k])
        assert got == expected
        outcomes[None if expected is None else expected[2]] += 1
    gaps = np.count_nonzero(hits.price[hits.bar >= 0] == bar_open[hits.bar[hits.bar >= 0]])
    # Every outcome the levels allow, fills at the open (gaps) among them.
    assert outcomes[None] and gaps
    assert outcomes[STOP_LOSS] or levels == "target"
    assert outcomes[TAKE_PROFIT] or levels == "stop"


def test_no_level_and_no_window():
    low, high, bar_open = random_market(np.random.default_rng(1), 10)
    none = rules.stop_or_target_hits(low, high, bar_open, LONG, None, None, [0, 3], [9, 9])
    assert none.bar.tolist() == [-1, -1] and none.reason.tolist() == [-1, -1]
    empty = rules.stop_or_target_hits(
        low, high, bar_open, LONG, np.empty(0), np.empty(0), np.empty(0, int), np.empty(0, int)
    )
    assert len(empty.bar) == 0
