"""Reads of studies and walk-forwards: the owner's only (anyone else's is a 404), the trials in
any KPI's order, the diagnostics and Optuna's parameter importance."""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, FloatField, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404

from .diagnostics import chance_sentence, deflated_sharpe, probability_of_overfitting
from .models import Study, StudyTrial, TrialState, WalkForward
from .storage import optuna_storage

TRIAL_ORDER_KEYS = (
    "number",
    "value",
    "sharpe",
    "sortino",
    "calmar",
    "total_return",
    "cagr",
    "profit_factor",
    "max_drawdown",
    "number_of_trades",
    "win_rate",
)


def study_list(*, owner: AbstractBaseUser, walk_forward_id: int | None = None) -> QuerySet[Study]:
    studies = Study.objects.filter(owner=owner).select_related("symbol")
    if walk_forward_id is not None:
        studies = studies.filter(walk_forward_id=walk_forward_id)
    return studies.defer("oos_equity", "oos_equity_times")


def study_get(*, owner: AbstractBaseUser, study_id: int) -> Study:
    study = study_list(owner=owner).filter(pk=study_id).first()
    if study is None:
        raise Http404(f"No study {study_id}.")
    return study


def walk_forward_list(*, owner: AbstractBaseUser) -> QuerySet[WalkForward]:
    return WalkForward.objects.filter(owner=owner).select_related("symbol")


def walk_forward_get(*, owner: AbstractBaseUser, walk_forward_id: int) -> WalkForward:
    walk = walk_forward_list(owner=owner).filter(pk=walk_forward_id).first()
    if walk is None:
        raise Http404(f"No walk-forward {walk_forward_id}.")
    return walk


def study_trials(*, study: Study, ordering: str = "-value") -> QuerySet[StudyTrial]:
    """The study's finished trials sorted by `ordering` (a TRIAL_ORDER_KEYS key, '-' for
    descending); unknown values last."""
    descending = ordering.startswith("-")
    key = ordering.lstrip("-")
    trials = StudyTrial.objects.filter(study=study).defer("samples")
    if key in ("number", "value"):
        field = F(key)
    else:
        trials = trials.annotate(sort_key=Cast(KT(f"kpis__{key}"), FloatField()))
        field = F("sort_key")
    order = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return trials.order_by(order, "number")


def study_diagnostics(*, study: Study) -> dict[str, Any] | None:
    """The deflated Sharpe ratio of the best trial and the PBO of the complete trials, with a
    sentence; None before two complete trials."""
    rows = list(
        StudyTrial.objects.filter(study=study, state=TrialState.COMPLETE)
        .order_by("number")
        .values_list("value", "kpis", "samples", "moments")
    )
    if len(rows) < 2:
        return None
    per_year = np.array([(k or {}).get("periods_per_year") or np.nan for _, k, _, _ in rows])
    annual = np.array(
        [np.nan if (k or {}).get("sharpe") is None else k["sharpe"] for _, k, _, _ in rows]
    )
    per_bar = annual / np.sqrt(per_year)
    best = int(np.nanargmax([v if v is not None else -np.inf for v, _, _, _ in rows]))
    best_sharpe = per_bar[best]
    moments = rows[best][3] or {}
    result: dict[str, Any] = {"trials": len(rows)}
    if np.isfinite(best_sharpe):
        dsr = deflated_sharpe(
            sharpe=float(best_sharpe),
            trial_sharpes=per_bar,
            observations=int(moments.get("observations", 0)),
            skewness=float(moments.get("skew", 0.0)),
            kurtosis=float(moments.get("kurtosis", 3.0)),
        )
        result["deflated_sharpe"] = {
            "best_sharpe": float(annual[best]),
            "best_sharpe_per_bar": dsr.sharpe,
            "sharpe_variance_per_bar": dsr.sharpe_variance,
            "expected_max_sharpe_per_bar": dsr.expected_max_sharpe,
            "expected_max_sharpe": dsr.expected_max_sharpe * float(np.sqrt(per_year[best])),
            "dsr": dsr.deflated_sharpe,
            "sentence": chance_sentence(
                trials=dsr.trials, annual_sharpe=float(annual[best]), dsr=dsr.deflated_sharpe
            ),
        }
    samples = [np.frombuffer(bytes(s), dtype="<f8") for _, _, s, _ in rows if s]
    if len(samples) >= 2 and len({len(s) for s in samples}) == 1 and len(samples[0]) > 40:
        matrix = np.column_stack(samples)
        returns = matrix[1:] / matrix[:-1] - 1
        pbo = probability_of_overfitting(returns)
        result["pbo"] = {
            "pbo": pbo.pbo,
            "splits": pbo.splits,
            "sentence": (
                f"In {pbo.pbo:.0%} of {pbo.splits} splits of the span in halves, the trial best "
                "on one half ranked in the bottom half on the other."
            ),
        }
    return result


def study_importance(*, study: Study) -> dict[str, float]:
    """Optuna's parameter importance over the complete trials (normalised to sum to 1), by its
    PED-ANOVA evaluator: pure NumPy (the default fANOVA needs scikit-learn, which nothing else
    here needs); empty before there are enough trials."""
    if study.trials_done < 2 or len(study.space) < 1:
        return {}
    ostudy = optuna.load_study(study_name=study.optuna_name, storage=optuna_storage())
    try:
        evaluator = optuna.importance.PedAnovaImportanceEvaluator()
        return dict(optuna.importance.get_param_importances(ostudy, evaluator=evaluator))
    except (RuntimeError, ValueError):  # too few complete trials, or no variation
        return {}
