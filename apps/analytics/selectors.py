"""Reads of stored backtests. (The candles a run computes on come from
apps.strategies.selectors.strategy_inputs, as for the run endpoint and bots.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, FloatField, Max, Q, QuerySet
from django.db.models.fields.json import KT, KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404

from .engine.kpis import Kpis
from .equity import equity_decode, minmax_downsample, period_returns
from .models import BacktestRun, BacktestStatus, BacktestSweep, BacktestTrade

KPI_NAMES = tuple(Kpis.__dataclass_fields__)
SWEEP_ORDER_KEYS = ("id", *KPI_NAMES)
_BLOBS = ("equity", "equity_times")  # megabytes per long run: read only by the equity selector


def backtest_run_list(
    *, owner: AbstractBaseUser, sweep_id: int | None = None, standalone: bool = False
) -> QuerySet:
    """The owner's runs, newest first; only one sweep's, or only those of no sweep (standalone)."""
    runs = BacktestRun.objects.filter(owner=owner).select_related("symbol").defer(*_BLOBS)
    if sweep_id is not None:
        runs = runs.filter(sweep_id=sweep_id)
    if standalone:
        runs = runs.filter(sweep__isnull=True)
    return runs


def backtest_run_get(*, owner: AbstractBaseUser, run_id: int) -> BacktestRun:
    """The owner's run; anyone else's is indistinguishable from a missing one (404)."""
    run = backtest_run_list(owner=owner).filter(pk=run_id).first()
    if run is None:
        raise Http404(f"No backtest {run_id}.")
    return run


def backtest_trades(*, run: BacktestRun) -> list[dict[str, Any]]:
    """The run's trades in time order, as plain rows (no model instance per trade)."""
    fields = [f.name for f in BacktestTrade._meta.concrete_fields if f.name not in ("id", "run")]
    return list(BacktestTrade.objects.filter(run=run).order_by("number").values(*fields))


@dataclass(frozen=True)
class EquitySeries:
    times_ms: np.ndarray
    values: np.ndarray
    total: int  # bars in the stored curve, before any downsampling


def backtest_equity(*, run: BacktestRun, points: int | None = None) -> EquitySeries:
    """The stored curve (empty until the run is done), min/max-downsampled to at most `points`."""
    blobs = BacktestRun.objects.filter(pk=run.pk).values_list(*_BLOBS).first()
    if not blobs or blobs[0] is None or blobs[1] is None:
        empty = np.empty(0)
        return EquitySeries(empty.astype(np.int64), empty, 0)
    values_blob, times_blob = blobs
    times, values = equity_decode(times_blob, values_blob)
    if points is not None:
        keep = minmax_downsample(values, points)
        return EquitySeries(times[keep], values[keep], len(values))
    return EquitySeries(times, values, len(values))


def backtest_monthly_returns(*, run: BacktestRun) -> dict[str, list[dict[str, Any]]]:
    """The run's return per calendar month and per year (UTC) of its full stored curve, oldest
    first: {"months": [{"period": "2024-06", "return_fraction": 0.012}, ...], "years":
    [{"period": "2024", ...}]}; empty lists until the run is done. A non-finite return (from
    zero equity) is None."""
    series = backtest_equity(run=run)
    return {
        key: _period_rows(
            *period_returns(series.times_ms, series.values, run.initial_capital, unit)
        )
        for key, unit in (("months", "M"), ("years", "Y"))
    }


def _period_rows(periods: np.ndarray, returns: np.ndarray) -> list[dict[str, Any]]:
    finite = np.isfinite(returns).tolist()
    return [
        {"period": period, "return_fraction": value if ok else None}
        for period, value, ok in zip(periods.tolist(), returns.tolist(), finite, strict=True)
    ]


def backtest_sweep_get(*, owner: AbstractBaseUser, sweep_id: int) -> BacktestSweep:
    sweep = BacktestSweep.objects.filter(owner=owner, pk=sweep_id).select_related("symbol").first()
    if sweep is None:
        raise Http404(f"No sweep {sweep_id}.")
    return sweep


def backtest_sweep_list(*, owner: AbstractBaseUser) -> QuerySet:
    """The owner's sweeps, newest first, each annotated in the same query with its runs per
    status (`n_queued`, `n_running`, `n_done`, `n_failed`) and the best total return of its done
    runs (`best_total_return`, None while none has one)."""
    per_status = {
        f"n_{status}": Count("runs", filter=Q(runs__status=status))
        for status in BacktestStatus.values
    }
    # ->> gives text (SQL NULL for a JSON null), cast to a number so that 0.10 beats 0.09.
    total_return = Cast(KeyTextTransform("total_return", "runs__kpis"), FloatField())
    best = Max(total_return, filter=Q(runs__status=BacktestStatus.DONE))
    return (
        BacktestSweep.objects.filter(owner=owner)
        .select_related("symbol")
        .annotate(**per_status, best_total_return=best)
        .order_by("-created_at", "-id")
    )


def backtest_sweep_progress(*, sweep: BacktestSweep) -> dict[str, Any]:
    """Runs per status, and the sweep's own: queued until a run starts, done when none is left
    to run (failed runs included: they are finished)."""
    counts = dict.fromkeys(BacktestStatus.values, 0)
    for row in sweep.runs.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    pending = counts[BacktestStatus.QUEUED] + counts[BacktestStatus.RUNNING]
    if not pending:
        status = "done"
    elif pending == counts[BacktestStatus.QUEUED] == sum(counts.values()):
        status = "queued"
    else:
        status = "running"
    return {"status": status, "counts": counts}


def backtest_sweep_runs(*, sweep: BacktestSweep, order: str = "id") -> QuerySet:
    """The sweep's runs sorted by `order`: a KPI name or "id", "-" for descending. Runs without
    that KPI (not done yet, or undefined such as Sharpe on a flat curve) come last either way."""
    key = order.removeprefix("-")
    if key not in SWEEP_ORDER_KEYS:
        raise ValueError(f"order: '{key}' is not one of {', '.join(SWEEP_ORDER_KEYS)}")
    runs = sweep.runs.defer(*_BLOBS)
    if key == "id":
        return runs.order_by(order)
    # ->> gives text (SQL NULL for a JSON null), cast to a number so that 10 sorts after 9.
    value = Cast(KT(f"kpis__{key}"), FloatField())
    ordering = value.desc(nulls_last=True) if order.startswith("-") else value.asc(nulls_last=True)
    return runs.order_by(ordering, F("id").asc())
