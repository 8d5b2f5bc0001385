"""Studies on real BTC/USDT 5m candles, their trials run in this process (study_work is what
each worker runs): a grid finds the optimum found by enumerating it with the engine directly;
a walk-forward's windows, out-of-sample runs and stitching."""

from __future__ import annotations

import numpy as np
import pytest
from optuna.trial import TrialState as OptunaState

from apps.analytics.engine import BacktestConfig, run_backtest
from apps.analytics.equity import equity_decode
from apps.datafeeds.times import parse_time_ms
from apps.optimisation.models import StudyStatus, StudyTrial, TrialState
from apps.optimisation.selectors import study_diagnostics, study_importance, study_trials
from apps.optimisation.services import (
    study_cancel,
    study_create,
    study_pause,
    study_resume,
    study_work,
    walk_forward_create,
)
from apps.optimisation.services.runner import SURPLUS, SurplusTrial, _objective, optuna_study
from apps.optimisation.space import space_of_json
from apps.optimisation.trials import study_inputs
from apps.strategies.registry import strategy_spec
from apps.strategies.selectors import strategy_inputs

APRIL = parse_time_ms("2024-04-01")
MAY = parse_time_ms("2024-05-01")
DAY = 86_400_000
COSTS = {"fee_rate": 0.0005, "stop_loss": 0.015, "take_profit": 0.03}
SPACE = {
    "sma_period": {"low": 100, "high": 200, "step": 50},
    "hma_period": {"low": 50, "high": 200, "step": 50},
}


def engine_sharpe(symbol, params, start_ms, end_ms) -> float | None:
    """The backtest of `params` as a single run computes it: its own inputs, the engine."""
    spec = strategy_spec("hma-sma")
    inputs = strategy_inputs(
        spec=spec, params=params, symbol=symbol, start_ms=start_ms, end_ms=end_ms
    )
    signals = spec.compute(inputs.base, inputs.context, params)
    cut = {
        n: getattr(signals, n)[inputs.first :]
        for n in ("long_entry", "short_entry", "long_exit", "short_exit")
    }
    config = BacktestConfig(**COSTS)
    return run_backtest(inputs.span, cut, config=config).kpis.sharpe


@pytest.mark.django_db
def test_a_grid_study_finds_the_optimum_of_the_enumerated_grid(ana, btc):
    study = study_create(
        owner=ana,
        strategy="hma-sma",
        symbol=btc,
        start_ms=APRIL,
        end_ms=MAY,
        space=SPACE,
        config=COSTS,
        objective="sharpe",
        sampler="grid",
        n_trials=1000,
        min_trades=0,
    )
    assert study.n_trials == 12  # 3 x 4 points: a grid is done once every point is visited
    assert study_work(study_id=study.pk, worker="here") == "done"

    grid = [(s, h) for s in (100, 150, 200) for h in (50, 100, 150, 200)]
    expected = {
        (s, h): engine_sharpe(btc, {"sma_period": s, "hma_period": h}, APRIL, MAY) for s, h in grid
    }
    best = max(expected, key=lambda k: expected[k])
    study.refresh_from_db()
    assert study.status == StudyStatus.DONE
    assert study.trials_done == 12
    assert (study.best_params["sma_period"], study.best_params["hma_period"]) == best
    assert study.best_value == pytest.approx(expected[best], rel=1e-9)
    # Every grid point once, with the engine's Sharpe.
    trials = StudyTrial.objects.filter(study=study)
    assert sorted((t.params["sma_period"], t.params["hma_period"]) for t in trials) == sorted(grid)
    for trial in trials:
        key = (trial.params["sma_period"], trial.params["hma_period"])
        assert trial.value == pytest.approx(expected[key], rel=1e-9)
    # The return moments (for the deflated Sharpe ratio) of each trial that was the best so far
    # (one worker here), the study's best among them; none of the others.
    in_order = list(trials.order_by("number"))
    running_best = [
        t.value >= max(e.value for e in in_order[: i + 1]) for i, t in enumerate(in_order)
    ]
    assert [t.moments is not None for t in in_order] == running_best
    assert not all(running_best)
    best_trial = max(in_order, key=lambda t: (t.value, -t.number))
    assert best_trial.moments["observations"] > 8000 and best_trial.moments["kurtosis"] > 3
    # Sorted by any KPI, the diagnostics and the importance read the same trials.
    by_trades = [
        t.kpis["number_of_trades"] for t in study_trials(study=study, ordering="-number_of_trades")
    ]
    assert by_trades == sorted(by_trades, reverse=True)
    diagnostics = study_diagnostics(study=study)
    assert diagnostics["trials"] == 12
    assert 0 <= diagnostics["deflated_sharpe"]["dsr"] <= 1
    assert diagnostics["deflated_sharpe"]["sentence"].startswith("With 12 trials, a Sharpe of")
    assert 0 <= diagnostics["pbo"]["pbo"] <= 1
    importance = study_importance(study=study)
    assert set(importance) == {"sma_period", "hma_period"}
    assert sum(importance.values()) == pytest.approx(1.0)


@pytest.mark.django_db
def test_trials_below_the_minimum_trade_count_are_pruned(ana, btc):
    study = study_create(
        owner=ana,
        strategy="hma-sma",
        symbol=btc,
        start_ms=APRIL,
        end_ms=APRIL + 3 * DAY,
        space={"sma_period": {"low": 100, "high": 200, "step": 100}},
        config=COSTS,
        sampler="grid",
        min_trades=10_000,
    )
    study_work(study_id=study.pk)
    study.refresh_from_db()
    assert study.status == StudyStatus.DONE
    assert (study.trials_done, study.trials_pruned, study.best_params) == (2, 2, None)
    assert set(StudyTrial.objects.filter(study=study).values_list("state", flat=True)) == {
        TrialState.PRUNED
    }


@pytest.mark.django_db
def test_a_paused_study_runs_no_trial_until_resumed(ana, btc):
    study = study_create(
        owner=ana,
        strategy="hma-sma",
        symbol=btc,
        start_ms=APRIL,
        end_ms=APRIL + 5 * DAY,
        space=SPACE,
        config=COSTS,
        sampler="random",
        n_trials=3,
        seed=1,
    )
    study_pause(study=study)
    assert study_work(study_id=study.pk) == "skipped"
    assert not StudyTrial.objects.filter(study=study).exists()
    study_resume(study=study)
    assert study_work(study_id=study.pk) == "done"
    study.refresh_from_db()
    assert study.trials_done == 3
    with pytest.raises(Exception, match="the study is done; cannot make it cancelled"):
        study_cancel(study=study)


@pytest.mark.django_db
def test_a_trial_started_past_n_trials_fails_at_once_and_is_never_run(ana, btc):
    """Two workers that each saw one trial left both start one: the later-numbered one fails at
    once as surplus (never run, never counted), so a study runs exactly n_trials."""
    study = study_create(
        owner=ana,
        strategy="hma-sma",
        symbol=btc,
        start_ms=APRIL,
        end_ms=APRIL + 5 * DAY,
        space=SPACE,
        config=COSTS,
        sampler="random",
        n_trials=2,
        min_trades=0,
        seed=1,
    )
    shared = study_inputs(study)
    objective = _objective(study, shared, space_of_json(shared.spec, study.space), "w")
    ostudy = optuna_study(study)
    first, _second, third = ostudy.ask(), ostudy.ask(), ostudy.ask()
    with pytest.raises(SurplusTrial):
        objective(third)
    assert third.user_attrs == {SURPLUS: True} and not third.params
    ostudy.tell(third, state=OptunaState.FAIL)  # what optimize() does with the exception
    assert not StudyTrial.objects.filter(study=study).exists()
    # Had the first trial's worker been killed (failed), a fourth is needed: it runs.
    ostudy.tell(first, state=OptunaState.FAIL)
    fourth = ostudy.ask()
    assert isinstance(objective(fourth), float)
    assert StudyTrial.objects.filter(study=study, number=fourth.number).exists()


@pytest.mark.django_db
def test_a_walk_forward_optimises_each_window_and_stitches_the_out_of_sample_runs(ana, btc):
    """April 2024, rolling: in-sample 10 days, out-of-sample 5, step 5. By hand: IS [1, 11) OOS
    [11, 16); IS [6, 16) OOS [16, 21); IS [11, 21) OOS [21, 26); the next would end on May 1 =
    31 April: IS [16, 26) OOS [26, May 1): exactly inside; a fifth would end past it."""
    walk = walk_forward_create(
        owner=ana,
        strategy="hma-sma",
        symbol=btc,
        start_ms=APRIL,
        end_ms=MAY,
        space=SPACE,
        config=COSTS,
        sampler="grid",
        mode="rolling",
        in_sample_ms=10 * DAY,
        out_of_sample_ms=5 * DAY,
        step_ms=5 * DAY,
        min_trades=1,
    )
    day = lambda n: APRIL + (n - 1) * DAY  # noqa: E731  (April the n-th)
    assert walk.windows == [
        {"index": 0, "is_start_ms": day(1), "is_end_ms": day(11), "oos_end_ms": day(16)},
        {"index": 1, "is_start_ms": day(6), "is_end_ms": day(16), "oos_end_ms": day(21)},
        {"index": 2, "is_start_ms": day(11), "is_end_ms": day(21), "oos_end_ms": day(26)},
        {"index": 3, "is_start_ms": day(16), "is_end_ms": day(26), "oos_end_ms": MAY},
    ]
    studies = list(walk.studies.order_by("window"))
    assert [(s.start_ms, s.end_ms, s.oos_end_ms) for s in studies] == [
        (w["is_start_ms"], w["is_end_ms"], w["oos_end_ms"]) for w in walk.windows
    ]
    for study in studies:
        assert study_work(study_id=study.pk) == "done"
    walk.refresh_from_db()
    assert walk.status == StudyStatus.DONE

    # Each window's out-of-sample run is its best in-sample parameters, run as a single run.
    curves = []
    for study in walk.studies.order_by("window"):
        params = {**study.best_params}
        assert study.oos_kpis["sharpe"] == pytest.approx(
            engine_sharpe(btc, params, study.end_ms, study.oos_end_ms), rel=1e-9
        )
        times, equity = equity_decode(study.oos_equity_times, study.oos_equity)
        assert times[0] == study.end_ms and times[-1] < study.oos_end_ms
        curves.append(equity / 10_000.0)
    # Stitched: each stretch starts where the previous ended.
    times, stitched = equity_decode(walk.oos_equity_times, walk.oos_equity)
    assert times[0] == day(11) and len(times) == sum(len(c) for c in curves)
    growth = np.prod([c[-1] for c in curves])
    assert stitched[-1] == pytest.approx(10_000.0 * growth)
    results = walk.results
    assert results["out_of_sample"]["total_return"] == pytest.approx(growth - 1)
    assert set(results["stability"]) == {"sma_period", "hma_period"}
    assert len(results["stability"]["sma_period"]["values"]) == 4
    efficiency = results["walk_forward_efficiency"]
    is_cagr = results["in_sample"]["cagr"]
    if is_cagr and is_cagr > 0:
        assert efficiency == pytest.approx(results["out_of_sample"]["cagr"] / is_cagr)
