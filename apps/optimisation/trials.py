"""One trial: the strategy's signals for the trial's parameters on the study's shared inputs,
then the engine. The inputs (candles of the span and of its warm-up for the widest parameters
searched, the higher timeframes, the engine's config and risk limits) do not depend on the
searched parameters: they are read once per worker process per study and data version."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from django.conf import settings

from apps.analytics.engine import BacktestConfig, BacktestResult, run_backtest
from apps.analytics.services.risk import risk_limits_of
from apps.analytics.services.validation import CONFIG_DEFAULTS
from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.models import CandleSeries
from apps.risk.check import RiskLimits
from apps.strategies.inputs import StrategyInputs
from apps.strategies.memo import IndicatorMemo
from apps.strategies.registry import StrategySpec, strategy_spec
from apps.strategies.selectors import strategy_inputs

from .models import Study
from .space import space_of_json, widest_params

SAMPLE_POINTS = 257  # equity samples per trial kept for CSCV: 256 sub-period returns
_SIGNALS = ("long_entry", "short_entry", "long_exit", "short_exit")


@dataclass(frozen=True)
class StudyInputs:
    spec: StrategySpec
    inputs: StrategyInputs
    config: BacktestConfig
    risk: RiskLimits | None
    # Indicators of earlier trials on these inputs (apps/strategies/memo.py): an indicator of a
    # parameter that is not searched is computed once, a searched value drawn again is reused.
    memo: IndicatorMemo = field(
        default_factory=lambda: IndicatorMemo(settings.OPTIMISATION_MEMO_MB * 2**20),
        compare=False,
        repr=False,
    )

    @property
    def span(self) -> CandleArrays:
        return self.inputs.span


@dataclass(frozen=True)
class TrialOutcome:
    result: BacktestResult
    kpis: dict[str, Any]
    samples: np.ndarray  # equity at SAMPLE_POINTS evenly spaced bars

    @cached_property
    def moments(self) -> dict[str, float]:
        """Per-bar returns: observations, skew, (non-excess) kurtosis. The deflated Sharpe ratio
        needs the best trial's only: computed when asked."""
        return return_moments(self.result.equity)


_cache: dict[tuple[int, tuple], StudyInputs] = {}
_cache_lock = threading.Lock()
_CACHED_STUDIES = 4  # a worker holds the inputs of this many studies at most


def data_version(study: Study, spec: StrategySpec) -> tuple:
    """What changes when candles the study reads are added or replaced: each timeframe's
    stored count, last bar and last write."""
    timeframes = (spec.base_timeframe, *spec.context_timeframes)
    rows = CandleSeries.objects.filter(symbol_id=study.symbol_id, timeframe__in=timeframes)
    return tuple(sorted(rows.values_list("timeframe", "count", "last_open_time", "updated_at")))


def study_inputs(
    study: Study, *, start_ms: int | None = None, end_ms: int | None = None
) -> StudyInputs:
    """The study's shared inputs over [start_ms, end_ms) (its own span by default), cached."""
    spec = strategy_spec(study.strategy)
    start_ms = study.start_ms if start_ms is None else start_ms
    end_ms = study.end_ms if end_ms is None else end_ms
    key = (study.pk, (start_ms, end_ms, *data_version(study, spec)))
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    ranges = space_of_json(spec, study.space)
    inputs = strategy_inputs(
        spec=spec,
        params=widest_params(spec, ranges, study.params),
        symbol=study.symbol,
        start_ms=start_ms,
        end_ms=end_ms,
    )
    shared = StudyInputs(
        spec=spec,
        inputs=inputs,
        config=BacktestConfig(**{n: study.config.get(n, d) for n, d in CONFIG_DEFAULTS.items()}),
        risk=risk_limits_of(study.risk_limits),
    )
    with _cache_lock:
        for old in [k for k in _cache if k[0] == study.pk]:
            del _cache[old]  # an older data version of this study
        while len(_cache) >= _CACHED_STUDIES:
            del _cache[next(iter(_cache))]
        _cache[key] = shared
    return shared


def trial_run(shared: StudyInputs, params: Mapping[str, Any]) -> TrialOutcome:
    """Backtest `params` (validated, every parameter) on the shared inputs."""
    inputs = shared.inputs
    with shared.memo.active():
        signals = shared.spec.compute(inputs.base, inputs.context, params)
    cut = {name: getattr(signals, name)[inputs.first :] for name in _SIGNALS}
    result = run_backtest(inputs.span, cut, config=shared.config, risk=shared.risk)
    return TrialOutcome(
        result=result,
        kpis=json_safe(result.kpis.as_dict()),
        samples=equity_samples(result.equity),
    )


def equity_samples(equity: np.ndarray) -> np.ndarray:
    if not len(equity):
        return np.zeros(0)
    return equity[np.linspace(0, len(equity) - 1, SAMPLE_POINTS).round().astype(int)]


def return_moments(equity: np.ndarray) -> dict[str, float]:
    """Observations, skewness and (non-excess) kurtosis of the per-bar returns: the DSR's.
    Products instead of powers (** 3 on 100,000 floats costs more than the engine's whole run),
    and sums instead of np.dot (BLAS threads wait for each other on a busy machine)."""
    flat = {"observations": max(len(equity) - 1, 0), "skew": 0.0, "kurtosis": 3.0}
    if len(equity) < 3 or equity[:-1].min() <= 0:
        return flat
    centred = equity[1:] / equity[:-1]
    centred -= centred.mean()
    squared = centred * centred
    variance = float(squared.mean())
    if variance == 0:
        return flat
    return {
        "observations": len(centred),
        "skew": float((squared * centred).mean() / variance**1.5),
        "kurtosis": float((squared * squared).mean() / variance**2),
    }


def json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """JSON has no NaN or infinity: those become null."""
    return {
        k: None if isinstance(v, float) and not np.isfinite(v) else v for k, v in values.items()
    }
