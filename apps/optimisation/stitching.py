"""The out-of-sample stretches of a walk-forward as one curve, and what it says next to the
in-sample results. Pure NumPy (docs/optimisation.md, "Walk-forward analysis")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from apps.analytics.engine import kpis as k


def stitched_equity(
    curves: Sequence[tuple[np.ndarray, np.ndarray]], initial_capital: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each window's (open times, equity) started at `initial_capital`; chained so that each
    window starts where the previous one ended: window j is scaled by the product of the
    previous windows' final equity / initial capital."""
    times, values, level = [], [], 1.0
    for open_time, equity in curves:
        times.append(open_time)
        values.append(equity * level)
        if len(equity):
            level *= float(equity[-1]) / initial_capital
    if not times:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(times), np.concatenate(values)


def curve_kpis(open_time: np.ndarray, equity: np.ndarray, initial_capital: float) -> dict:
    """The KPIs an equity curve alone gives (the engine's formulas)."""
    if len(equity) < 2:
        return {"total_return": None, "cagr": None, "sharpe": None, "max_drawdown": None}
    returns = k.bar_returns(equity)
    per_year = k.periods_per_year(open_time)
    return {
        "total_return": k.total_return(equity, initial_capital),
        "cagr": k.cagr(equity, initial_capital, open_time),
        "sharpe": k.sharpe(returns, per_year),
        "sortino": k.sortino(returns, per_year),
        "max_drawdown": float(k.drawdown_curve(equity).max()),
    }


def walk_forward_efficiency(
    oos_cagr: float | None, is_cagrs: Sequence[float | None]
) -> float | None:
    """Annualised out-of-sample return / the mean annualised in-sample return of the windows'
    best trials; None when either is unknown or the in-sample mean is not positive (a ratio to
    a loss says nothing)."""
    known = [v for v in is_cagrs if v is not None]
    if oos_cagr is None or not known:
        return None
    mean = float(np.mean(known))
    return oos_cagr / mean if mean > 0 else None


def parameter_stability(
    chosen: Sequence[Mapping[str, Any] | None], space: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Per searched parameter: the value each window chose, their mean and standard deviation,
    and the spread = standard deviation / searched range (0: the same value every window;
    values drawn uniformly at random give about 0.29)."""
    stability = {}
    for name, bounds in space.items():
        values = [c[name] for c in chosen if c is not None and name in c]
        width = float(bounds["high"]) - float(bounds["low"])
        std = float(np.std(values)) if values else None
        stability[name] = {
            "values": values,
            "mean": float(np.mean(values)) if values else None,
            "std": std,
            "spread": None if std is None or width <= 0 else std / width,
        }
    return stability
