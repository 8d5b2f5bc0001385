"""Medians and percentiles of the benchmarks' timings."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def p95(values: list[float]) -> float:
    """The 95th percentile, inclusive of the extremes (the value itself when there is one)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def median_ms(func: Callable[[], object], repeat: int) -> float:
    """Median ms of `repeat` calls, after one warm-up call (imports, caches)."""
    func()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def paired_median_ms(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median ms of each of two calls, timed in turn after one warm-up call each: a burst of
    other work on a shared machine then lands on both alike, and their ratio holds still."""
    first()
    second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for func, samples in zip((first, second), times, strict=True):
            started = time.perf_counter()
            func()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])
