"""The equity curve's pure helpers: returns per calendar month and year."""

from __future__ import annotations

import numpy as np
import pytest

from apps.analytics.equity import period_returns
from apps.datafeeds.times import parse_time_ms


def _ms(*days: str) -> np.ndarray:
    return np.array([parse_time_ms(day) for day in days], dtype=np.int64)


def test_each_month_runs_from_the_previous_months_last_point_and_the_first_from_the_capital():
    times = _ms("2024-01-30", "2024-01-31", "2024-02-15", "2024-02-29T23:55", "2024-03-01")
    values = np.array([1_000.0, 1_100.0, 900.0, 1_210.0, 1_089.0])
    months, returns = period_returns(times, values, 1_000.0)
    assert months.tolist() == ["2024-01", "2024-02", "2024-03"]
    np.testing.assert_allclose(returns, [0.10, 0.10, -0.10])


def test_years_compound_their_months():
    times = _ms("2023-11-30", "2023-12-31", "2024-01-31", "2024-06-30")
    values = np.array([1_050.0, 1_200.0, 600.0, 1_800.0])
    months, monthly = period_returns(times, values, 1_000.0, "M")
    years, yearly = period_returns(times, values, 1_000.0, "Y")
    assert years.tolist() == ["2023", "2024"]
    np.testing.assert_allclose(yearly, [0.2, 0.5])
    in_2024 = np.char.startswith(months, "2024")
    assert np.prod(1 + monthly[in_2024]) - 1 == pytest.approx(yearly[1])


def test_a_month_without_a_bar_is_absent_and_the_next_counts_from_the_last_bar_before_it():
    times = _ms("2024-01-31", "2024-03-31")
    months, returns = period_returns(times, np.array([1_100.0, 1_210.0]), 1_000.0)
    assert months.tolist() == ["2024-01", "2024-03"]
    np.testing.assert_allclose(returns, [0.1, 0.1])


def test_an_empty_curve_has_no_periods_and_zero_equity_gives_a_non_finite_return():
    months, returns = period_returns(np.empty(0, dtype=np.int64), np.empty(0), 1_000.0)
    assert len(months) == len(returns) == 0
    _, returns = period_returns(_ms("2024-01-31", "2024-02-29"), np.array([0.0, 10.0]), 1_000.0)
    assert returns[0] == -1.0 and not np.isfinite(returns[1])
