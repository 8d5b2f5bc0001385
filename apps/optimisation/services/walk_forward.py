"""Walk-forward analysis: one study per in-sample window (they run in parallel), each window's
best parameters then traded on its out-of-sample stretch, and once every window is done the
stretches stitched into one curve with its KPIs, the walk-forward efficiency and the stability
of the chosen parameters (stitching.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.analytics.equity import equity_decode, equity_encode
from apps.analytics.services.validation import BacktestInvalid, span_clipped
from apps.datafeeds.models import Symbol
from apps.datafeeds.timeframes import timeframe_ms

from ..events import study_changed
from ..models import Study, StudyStatus, WalkForward
from ..stitching import curve_kpis, parameter_stability, stitched_equity, walk_forward_efficiency
from ..trials import study_inputs, trial_run
from ..windows import walk_forward_windows, windows_errors
from .studies import optuna_study_create, studies_enqueue
from .validation import active_studies_quota_checked, search_checked, warmup_checked


def walk_forward_create(
    *,
    owner: AbstractBaseUser,
    strategy: str,
    symbol: Symbol,
    start_ms: int,
    end_ms: int,
    space: Any,
    mode: str,
    in_sample_ms: int,
    out_of_sample_ms: int,
    step_ms: int | None = None,
    params: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    risk_profile: int | None = None,
    objective: str = "sharpe",
    min_trades: int = 1,
    sampler: str = "tpe",
    n_trials: int = 100,
    seed: int | None = None,
) -> WalkForward:
    """A running walk-forward and one running study of `n_trials` per window. BacktestInvalid
    names each bad field (as study_create, plus the windows: longer than the data, an
    in-sample stretch with fewer candles than the warm-up, out-of-sample stretches that
    overlap, an unknown mode)."""
    search = search_checked(
        owner=owner,
        strategy=strategy,
        start_ms=start_ms,
        end_ms=end_ms,
        space=space,
        params=params,
        config=config,
        risk_profile=risk_profile,
        objective=objective,
        min_trades=min_trades,
        sampler=sampler,
        n_trials=n_trials,
        seed=seed,
    )
    step_ms = out_of_sample_ms if step_ms is None else step_ms
    start_ms, end_ms = span_clipped(
        symbol=symbol, timeframe=search.spec.base_timeframe, start_ms=start_ms, end_ms=end_ms
    )
    errors: dict[str, Any] = {}
    if mode not in ("rolling", "anchored"):
        errors["mode"] = "rolling or anchored"
    errors.update(
        windows_errors(
            start_ms=start_ms,
            end_ms=end_ms,
            in_sample_ms=in_sample_ms,
            out_of_sample_ms=out_of_sample_ms,
            step_ms=step_ms,
        )
    )
    bar_ms = timeframe_ms(search.spec.base_timeframe)
    if "in_sample" not in errors and in_sample_ms // bar_ms <= search.warmup_bars:
        errors["in_sample"] = (
            f"{in_sample_ms // bar_ms} bars; the widest parameters searched need "
            f"{search.warmup_bars} bars of warm-up"
        )
    if errors:
        raise BacktestInvalid(errors)
    windows = walk_forward_windows(
        start_ms=start_ms,
        end_ms=end_ms,
        in_sample_ms=in_sample_ms,
        out_of_sample_ms=out_of_sample_ms,
        step_ms=step_ms,
        mode=mode,
    )
    first = windows[0]
    warmup_checked(
        search=search,
        symbol=symbol,
        start_ms=first.is_start_ms,
        end_ms=first.is_end_ms,
        field="in_sample",
    )
    names = [optuna_study_create() for _ in windows]
    with transaction.atomic():
        active_studies_quota_checked(owner=owner, adding=len(windows))
        walk = WalkForward.objects.create(
            owner=owner,
            symbol=symbol,
            start_ms=start_ms,
            end_ms=end_ms,
            mode=mode,
            in_sample_ms=in_sample_ms,
            out_of_sample_ms=out_of_sample_ms,
            step_ms=step_ms,
            windows=[w.as_json() for w in windows],
            **search.columns,
        )
        studies = Study.objects.bulk_create(
            Study(
                owner=owner,
                symbol=symbol,
                start_ms=w.is_start_ms,
                end_ms=w.is_end_ms,
                oos_end_ms=w.oos_end_ms,
                walk_forward=walk,
                window=w.index,
                optuna_name=names[w.index],
                **search.columns,
            )
            for w in windows
        )
        studies_enqueue(study_ids=[s.pk for s in studies])
    return walk


def window_out_of_sample(*, study: Study) -> dict[str, Any]:
    """The window's best parameters traded on its out-of-sample stretch: the Study columns to
    store. No trial passed (all pruned): the stretch is spent in cash (flat equity)."""
    shared = study_inputs(study, start_ms=study.end_ms, end_ms=study.oos_end_ms)
    span = shared.span
    if study.best_params is None:
        capital = shared.config.initial_capital
        equity = np.full(len(span), capital)
        kpis = {**curve_kpis(span.open_time, equity, capital), "number_of_trades": 0}
    else:
        params = shared.spec.validate_params({**study.params, **study.best_params})
        outcome = trial_run(shared, params)
        equity, kpis = outcome.result.equity, outcome.kpis
    times_blob, values_blob = equity_encode(span.open_time, equity)
    return {"oos_kpis": kpis, "oos_equity": values_blob, "oos_equity_times": times_blob}


def walk_forward_finish_if_complete(*, walk_forward_id: int) -> bool:
    """Once every window's study is done: stitch, measure, mark the walk-forward done (under its
    row's lock, so only one worker does)."""
    with transaction.atomic():
        walk = WalkForward.objects.select_for_update().filter(pk=walk_forward_id).first()
        if walk is None or walk.status != StudyStatus.RUNNING:
            return False
        windows = list(walk.studies.order_by("window"))
        if any(s.status != StudyStatus.DONE for s in windows):
            return False
        curves = [equity_decode(s.oos_equity_times, s.oos_equity) for s in windows]
        capital = float(walk.config.get("initial_capital", 10_000.0))
        times, equity = stitched_equity(curves, capital)
        oos = curve_kpis(times, equity, capital)
        oos["number_of_trades"] = sum(
            (s.oos_kpis or {}).get("number_of_trades") or 0 for s in windows
        )
        in_sample = [s.best_kpis or {} for s in windows]
        times_blob, values_blob = equity_encode(times, equity)
        walk.results = {
            "out_of_sample": oos,
            "in_sample": {
                "cagr": _mean(k.get("cagr") for k in in_sample),
                "sharpe": _mean(k.get("sharpe") for k in in_sample),
                "total_return": _mean(k.get("total_return") for k in in_sample),
            },
            "walk_forward_efficiency": walk_forward_efficiency(
                oos["cagr"], [k.get("cagr") for k in in_sample]
            ),
            "stability": parameter_stability([s.best_params for s in windows], walk.space),
        }
        walk.oos_equity, walk.oos_equity_times = values_blob, times_blob
        walk.status = StudyStatus.DONE
        walk.finished_at = timezone.now()
        walk.save()
    return True


def walk_forward_fail(*, walk_forward_id: int, message: str) -> None:
    WalkForward.objects.filter(pk=walk_forward_id, status=StudyStatus.RUNNING).update(
        status=StudyStatus.FAILED, error=message[:4000], finished_at=timezone.now()
    )


def walk_forward_cancel(*, walk: WalkForward) -> WalkForward:
    """Cancel the walk-forward and each of its studies not finished yet."""
    with transaction.atomic():
        changed = WalkForward.objects.filter(
            pk=walk.pk, status__in=(StudyStatus.RUNNING, StudyStatus.PAUSED)
        ).update(status=StudyStatus.CANCELLED, finished_at=timezone.now())
        if changed != 1:
            walk.refresh_from_db()
            raise BacktestInvalid({"status": f"the walk-forward is {walk.status}"})
        ids = list(
            walk.studies.filter(status__in=(StudyStatus.RUNNING, StudyStatus.PAUSED)).values_list(
                "pk", flat=True
            )
        )
        Study.objects.filter(pk__in=ids).update(
            status=StudyStatus.CANCELLED, finished_at=timezone.now()
        )
    for pk in ids:
        study_changed(study_id=pk)
    walk.refresh_from_db()
    return walk


def _mean(values) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None
