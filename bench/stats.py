"""Percentiles of the benchmarks' latency samples."""

from __future__ import annotations

import statistics


def p95(values: list[float]) -> float:
    """The 95th percentile, inclusive of the extremes (the value itself when there is one)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]
