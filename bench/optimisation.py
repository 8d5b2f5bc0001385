"""Parameter-study timings for `make bench` (docs/optimisation.md, "Speed").

- A trial against a bare engine run: a trial is the strategy's signals for its parameters on
  the study's shared inputs (indicators of earlier trials reused), the engine, and the samples
  the diagnostics keep; the reference is run_backtest alone on signals computed beforehand.
  Both over the parameter sets a TPE study draws, in order.
- A TPE study of hma-sma on 2 real Celery workers against the same study on 1 worker (the
  same trials one by one in one process).
"""

from __future__ import annotations

import statistics
import time

SPACE = {
    "sma_period": {"low": 50, "high": 400, "step": 5},
    "hma_period": {"low": 20, "high": 300, "step": 5},
}
COSTS = {"stop_loss": 0.015, "take_profit": 0.03}


def bench_trial(record, bars: int, draws: int) -> None:
    """Trials as a study runs them: the `draws` parameter sets a TPE study of SPACE draws
    (Optuna in memory, maximising the Sharpe ratio), each run as a trial on shared inputs
    whose indicator memo starts empty, and the engine alone on that trial's signals computed
    beforehand, timed in turn. The figures are the means per trial: the draws that compute
    their indicators and the draws that reuse them, as they come."""
    import optuna

    from apps.analytics.engine import BacktestConfig, run_backtest
    from apps.optimisation.trials import StudyInputs, trial_run
    from apps.strategies.inputs import StrategyInputs
    from apps.strategies.registry import strategy_spec

    from .candles import tiled_candles

    spec = strategy_spec("hma-sma")
    candles = tiled_candles(bars)
    config = BacktestConfig(**COSTS)
    inputs = StrategyInputs(base=candles, context={"1h": None, "4h": None}, first=0)
    drawn: list[dict] = []

    def objective(trial: optuna.Trial) -> float:
        values = {
            name: trial.suggest_int(name, r["low"], r["high"], step=r["step"])
            for name, r in SPACE.items()
        }
        drawn.append(spec.validate_params(values))
        return trial_run(drawing, drawn[-1]).kpis["sharpe"] or 0.0

    drawing = StudyInputs(spec=spec, inputs=inputs, config=config, risk=None)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=1))
    study.optimize(objective, n_trials=draws)

    timed = StudyInputs(spec=spec, inputs=inputs, config=config, risk=None)  # an empty memo
    engine_ms, trial_ms = [], []
    for params in drawn:
        signals = spec.compute(candles, inputs.context, params)  # outside the memo
        started = time.perf_counter()
        run_backtest(candles, signals, config=config)
        engine_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        trial_run(timed, params)
        trial_ms.append((time.perf_counter() - started) * 1000)
    size = f"{draws} TPE draws x {bars:,} 5m bars"
    record(
        "study trial hma-sma, signals + engine + samples (ref. engine on given signals)",
        statistics.mean(trial_ms),
        "ms",
        reference=statistics.mean(engine_ms),
        higher_is_better=False,
        size=size,
    )
    memo = timed.memo
    record(
        "study trial indicators reused from earlier trials (indicator memo)",
        100 * memo.hits / max(memo.hits + memo.misses, 1),
        "%",
        size=size,
    )


def bench_study(record, *, trials: int, days: int) -> None:
    """`trials` TPE trials over the stored BTCUSDT candles from 2024-02-01 (bench/run.py's
    run_endpoint stores them) on 2 workers, against the same study on 1 worker: the same
    trials one by one in one process, started and timed the same way."""
    from django.contrib.auth import get_user_model

    from apps.datafeeds.models import Symbol

    owner = get_user_model().objects.get_or_create(username="bench-study")[0]
    start_ms = 1_706_745_600_000  # 2024-02-01
    spec = {
        "owner": owner,
        "strategy": "hma-sma",
        "symbol": Symbol.objects.get(name="BTCUSDT"),
        "start_ms": start_ms,
        "end_ms": start_ms + days * 86_400_000,
        "space": SPACE,
        "config": COSTS,
        "sampler": "tpe",
        "n_trials": trials,
        "min_trades": 0,
        "seed": 1,
    }
    wall, shared = _study_on_workers(spec, ["study0", "study1"])
    one_process, alone = _study_on_workers(spec, ["study0"])
    bars = days * 288
    record(
        "TPE study hma-sma on 2 workers, wall (ref. the same trials on 1 worker)",
        wall,
        "s",
        reference=one_process,
        higher_is_better=False,
        size=f"{trials} trials x {bars:,} bars",
    )
    record(
        "TPE study on 2 workers, trials/s (ref. 1 worker)",
        shared.trials_done / wall,
        "trials/s",
        reference=alone.trials_done / one_process,
        size=f"{trials} trials",
    )


def _study_on_workers(spec: dict, names: list[str]):
    """Wall seconds from creating the study to its end, on one started worker per name."""
    from apps.optimisation.models import Study
    from apps.optimisation.services import study_create

    from .workers import wall_on_workers

    def finished(study: Study) -> bool:
        return not Study.objects.filter(pk=study.pk, status="running").exists()

    wall, study = wall_on_workers(names, lambda: study_create(**spec), finished, timeout=3600)
    study.refresh_from_db()
    assert study.status == "done", study.error
    return wall, study
