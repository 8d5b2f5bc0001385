"""Stored backtests on real BTC/USDT candles in PostgreSQL, executed in-process."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from apps.analytics.engine import BacktestConfig, run_backtest
from apps.analytics.equity import equity_decode, equity_encode, minmax_downsample
from apps.analytics.models import BacktestRun, BacktestStatus, BacktestSweep, BacktestTrade
from apps.analytics.selectors import backtest_sweep_progress, backtest_sweep_runs
from apps.analytics.services import (
    MAX_ATTEMPTS,
    MAX_SWEEP_RUNS,
    BacktestInvalid,
    ExecuteOutcome,
    backtest_run_create,
    backtest_run_delete,
    backtest_run_execute,
    backtest_runner,
    backtest_sweep_create,
)
from apps.datafeeds.timeframes import timeframe_ms
from apps.datafeeds.times import parse_time_ms
from apps.strategies.registry import strategy_spec

from .expected import SIGNALS, assert_stored_equals, engine_on_file_candles

pytestmark = pytest.mark.django_db

MARCH = parse_time_ms("2024-03-01")
MAY = parse_time_ms("2024-05-01")


def create(owner, symbol, strategy="hma-sma", start=MARCH, end=MAY, **kwargs):
    return backtest_run_create(
        owner=owner, strategy=strategy, symbol=symbol, start_ms=start, end_ms=end, **kwargs
    )


@pytest.fixture
def files(btc_5m_candles, btc_1h_candles, btc_4h_candles):
    return {"5m": btc_5m_candles, "1h": btc_1h_candles, "4h": btc_4h_candles}


# --- create ------------------------------------------------------------------------------------


def test_create_names_every_bad_field(ana, btc_symbol):
    with pytest.raises(BacktestInvalid) as caught:
        create(
            ana,
            btc_symbol,
            params={"sma_period": 1, "bogus": 3},
            config={"fee_rate": 0.5, "size": "all", "leverage": 2},
            start=MAY,
            end=MARCH,
        )
    errors = caught.value.errors
    assert set(errors["params"]) == {"sma_period", "bogus"}
    assert errors["fee_rate"] == "must be in [0, 0.1)"
    assert errors["size"] == "must be a number"
    assert errors["leverage"] == "unknown setting"
    assert errors["end"] == "must be after start"
    with pytest.raises(BacktestInvalid, match="strategy"):
        create(ana, btc_symbol, strategy="nope")
    assert not BacktestRun.objects.exists()


def test_create_stores_a_queued_run_and_enqueues_it_after_commit(
    ana, btc_symbol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = create(ana, btc_symbol, params={"sma_period": 100}, config={"stop_loss": 0.02})
    assert len(callbacks) == 1  # the task is sent only once the row is committed
    assert run.status == BacktestStatus.QUEUED and run.progress == 0 and run.attempts == 0
    assert run.params == {"sma_period": 100, "hma_period": 200}  # defaults filled in
    assert run.timeframe == "5m"
    assert (run.fee_rate, run.stop_loss, run.take_profit, run.size) == (0.001, 0.02, None, 1.0)


# --- execute ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "params", "config", "start", "end"),
    [
        ("hma-sma", {}, {"stop_loss": 0.015, "take_profit": 0.03}, MARCH, MAY),
        (
            "ema-cross",
            {"fast_period": 12, "slow_period": 26},
            {"slippage_bps": 2.0, "fee_rate": 0.00075, "size": 0.5},
            parse_time_ms("2024-06-01"),
            parse_time_ms("2024-06-15"),
        ),
    ],
)
def test_executed_run_stores_what_the_engine_computes_on_the_same_candles(
    ana, btc, files, strategy, params, config, start, end
):
    run = create(ana, btc, strategy=strategy, params=params, config=config, start=start, end=end)
    assert backtest_run_execute(run_id=run.pk, worker="here") == ExecuteOutcome.DONE
    run.refresh_from_db()
    result = engine_on_file_candles(run, files)
    assert len(result.trades) > 20, "the span must trade for the comparison to mean something"
    assert_stored_equals(run, result)
    assert run.attempts == 1 and run.worker == "here"
    assert run.started_at <= run.finished_at
    times, _ = equity_decode(
        *BacktestRun.objects.values_list("equity_times", "equity").get(pk=run.pk)
    )
    assert times[0] == start and times[-1] == end - timeframe_ms("5m")  # the span, no warm-up


def test_the_warmup_makes_the_span_trade_as_in_the_full_history(ana, btc, files):
    """hma-sma's indicators have finite windows: with enough warm-up, the signals inside the span
    are those of the strategy computed over all the history before it."""
    run = create(ana, btc, config={"stop_loss": 0.015, "take_profit": 0.03})
    backtest_run_execute(run_id=run.pk)
    spec = strategy_spec("hma-sma")
    everything = files["5m"]
    signals = spec.compute(everything, {"1h": files["1h"], "4h": files["4h"]}, spec.defaults())
    inside = (everything.open_time >= MARCH) & (everything.open_time < MAY)
    result = run_backtest(
        everything.slice(inside),
        {k: getattr(signals, k)[inside] for k in SIGNALS},
        config=BacktestConfig(stop_loss=0.015, take_profit=0.03),
    )
    assert_stored_equals(run, result)


def test_a_run_says_what_the_data_covered_and_the_bars_spent_warming_up(ana, btc):
    """Asked from a month before the first stored candle: the run covers from that candle on
    (clipped) and its first bars go to the warm-up, as many as the slowest indicator needs:
    HMA(200) on 4h closes is defined from the 200 + floor(sqrt(200)) - 1 = 213th 4h bar, whose
    close is that of the (213 * 48)th 5m bar: the 213 * 48 - 1 bars before it are spent."""
    first = parse_time_ms("2024-01-01")  # the first stored 5m candle
    run = create(ana, btc, start=parse_time_ms("2023-12-01"), end=parse_time_ms("2024-03-01"))
    backtest_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.data_start_ms == first and run.data_end_ms == parse_time_ms("2024-03-01")
    assert run.warmup_bars == 213 * 48 - 1
    # With the history before it stored, a later span spends none.
    later = create(ana, btc, start=MARCH, end=MAY)
    backtest_run_execute(run_id=later.pk)
    later.refresh_from_db()
    assert later.warmup_bars == 0 and later.data_start_ms == MARCH


def test_reexecuting_an_interrupted_run_replaces_its_trades(ana, btc, files):
    run = create(ana, btc)
    # As a worker that died after claiming: running, a stale token, even a stray trade row.
    BacktestRun.objects.filter(pk=run.pk).update(
        status=BacktestStatus.RUNNING, claim_token=uuid.uuid4(), attempts=1
    )
    BacktestTrade.objects.create(
        run=run, number=0, side="long", entry_time=0, exit_time=1, entry_price=1, exit_price=1,
        size=1, entry_fee=0, exit_fee=0, pnl=0, return_fraction=0, exit_reason="end",
    )  # fmt: skip
    assert backtest_run_execute(run_id=run.pk) == ExecuteOutcome.DONE
    run.refresh_from_db()
    assert run.attempts == 2
    assert_stored_equals(run, engine_on_file_candles(run, files))


def test_an_execution_taken_over_midway_stores_nothing(ana, btc, files, monkeypatch):
    """A redelivered task claims the run while the first execution is still computing: only the
    claimant holding the current token stores; the other's results are dropped."""
    run = create(ana, btc)
    outcomes = []
    engine = backtest_runner.run_backtest

    def taken_over_during_the_engine(*args, **kwargs):
        if not outcomes:  # only the first execution is interrupted
            outcomes.append("taking over")
            outcomes[0] = backtest_run_execute(run_id=run.pk, worker="second")
        return engine(*args, **kwargs)

    monkeypatch.setattr(backtest_runner, "run_backtest", taken_over_during_the_engine)
    assert backtest_run_execute(run_id=run.pk, worker="first") == ExecuteOutcome.SUPERSEDED
    assert outcomes == [ExecuteOutcome.DONE]
    run.refresh_from_db()
    assert run.attempts == 2 and run.worker == "second"
    assert_stored_equals(run, engine_on_file_candles(run, files))


def test_a_finished_run_is_never_executed_again(ana, btc):
    run = create(ana, btc, start=parse_time_ms("2024-04-01"))
    assert backtest_run_execute(run_id=run.pk) == ExecuteOutcome.DONE
    trades = run.trades.count()
    assert backtest_run_execute(run_id=run.pk) == ExecuteOutcome.SKIPPED
    assert backtest_run_execute(run_id=run.pk + 1000) == ExecuteOutcome.SKIPPED  # no such run
    run.refresh_from_db()
    assert run.attempts == 1 and run.trades.count() == trades


def test_a_span_without_candles_fails_with_a_message_saying_what_to_fetch(ana, btc):
    run = create(ana, btc, start=parse_time_ms("2023-01-01"), end=parse_time_ms("2023-02-01"))
    assert backtest_run_execute(run_id=run.pk) == ExecuteOutcome.FAILED
    run.refresh_from_db()
    assert run.status == BacktestStatus.FAILED and run.finished_at is not None
    assert "No 5m candles of binance:BTCUSDT from 2023-01-01 00:00 UTC" in run.error
    assert "python manage.py fetch_ohlcv BTCUSDT 5m" in run.error
    assert run.kpis is None and not run.trades.exists()


def test_an_unexpected_error_fails_the_run_with_its_type_and_message(ana, btc, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(backtest_runner, "run_backtest", broken)
    run = create(ana, btc)
    assert backtest_run_execute(run_id=run.pk) == ExecuteOutcome.FAILED
    run.refresh_from_db()
    assert run.error == "RuntimeError: engine exploded"


def test_a_run_interrupted_too_often_is_given_up(ana, btc_symbol):
    run = create(ana, btc_symbol)
    BacktestRun.objects.filter(pk=run.pk).update(
        status=BacktestStatus.RUNNING, attempts=MAX_ATTEMPTS
    )
    assert backtest_run_execute(run_id=run.pk) == ExecuteOutcome.FAILED
    run.refresh_from_db()
    assert run.error.startswith(f"Gave up after {MAX_ATTEMPTS} attempts")


def test_delete_removes_the_run_and_its_trades(ana, btc):
    run = create(ana, btc, start=parse_time_ms("2024-04-01"))
    backtest_run_execute(run_id=run.pk)
    assert run.trades.exists()
    backtest_run_delete(run=run)
    assert not BacktestRun.objects.filter(pk=run.pk).exists()
    assert not BacktestTrade.objects.filter(run_id=run.pk).exists()


# --- sweeps ----------------------------------------------------------------------------------


def sweep(owner, symbol, grid, strategy="hma-sma", **kwargs):
    return backtest_sweep_create(
        owner=owner,
        strategy=strategy,
        symbol=symbol,
        start_ms=parse_time_ms("2024-04-01"),
        end_ms=MAY,
        grid=grid,
        **kwargs,
    )


def test_sweep_queues_one_run_per_combination_in_one_group(
    ana, btc_symbol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        made = sweep(
            ana,
            btc_symbol,
            {"sma_period": [50, 100, 50.0], "hma_period": [20, 40, 80]},
            config={"stop_loss": 0.02},
        )
    assert len(callbacks) == 1  # one group, sent after commit
    assert made.grid == {"sma_period": [50, 100], "hma_period": [20, 40, 80]}  # 50.0 is 50
    runs = list(made.runs.order_by("id"))
    assert [(r.params["sma_period"], r.params["hma_period"]) for r in runs] == [
        (50, 20), (50, 40), (50, 80), (100, 20), (100, 40), (100, 80),
    ]  # fmt: skip
    assert {(r.status, r.stop_loss, r.start_ms) for r in runs} == {("queued", 0.02, made.start_ms)}
    assert backtest_sweep_progress(sweep=made) == {
        "status": "queued",
        "counts": {"queued": 6, "running": 0, "done": 0, "failed": 0},
    }


def test_sweep_skips_combinations_breaking_a_cross_field_rule(ana, btc_symbol):
    made = sweep(ana, btc_symbol, {"fast_period": [10, 30], "slow_period": [20, 50]}, "ema-cross")
    assert sorted((r.params["fast_period"], r.params["slow_period"]) for r in made.runs.all()) == [
        (10, 20),
        (10, 50),
        (30, 50),
    ]
    assert made.skipped == [
        {
            "params": {"fast_period": 30, "slow_period": 20},
            "errors": {"fast_period": "must be below slow_period"},
        }
    ]


@pytest.mark.parametrize(
    ("grid", "params", "message"),
    [
        (
            {"sma_period": list(range(10, 10 + MAX_SWEEP_RUNS + 1)), "hma_period": [10]},
            {},
            "201 combinations; a sweep runs at most 200",
        ),
        ({"sma_period": [50, 5000]}, {}, "5000: must be between 2 and 1000"),
        ({"bogus": [1]}, {}, "unknown parameter"),
        ({"sma_period": []}, {}, "non-empty list"),
        ({"sma_period": [50]}, {"sma_period": 100}, "also given in params"),
        ({}, {}, "must be an object"),
    ],
)
def test_sweep_rejects_a_bad_grid_naming_it(ana, btc_symbol, grid, params, message):
    with pytest.raises(BacktestInvalid) as caught:
        sweep(ana, btc_symbol, grid, params=params)
    assert "grid" in caught.value.errors and message in str(caught.value.errors["grid"])
    assert not BacktestSweep.objects.exists() and not BacktestRun.objects.exists()


def test_sweep_results_sort_by_any_kpi_with_missing_values_last(ana, btc):
    made = sweep(ana, btc, {"sma_period": [50, 100, 200, 400]})
    runs = list(made.runs.order_by("id"))
    for run in runs[:3]:
        backtest_run_execute(run_id=run.pk)
    sharpe = {r.pk: r.kpis["sharpe"] for r in BacktestRun.objects.filter(kpis__isnull=False)}
    best_first = sorted(sharpe, key=lambda pk: -sharpe[pk])
    assert [r.pk for r in backtest_sweep_runs(sweep=made, order="-sharpe")] == [
        *best_first,
        runs[3].pk,
    ]
    assert [r.pk for r in backtest_sweep_runs(sweep=made, order="sharpe")] == [
        *best_first[::-1],
        runs[3].pk,
    ]
    assert backtest_sweep_progress(sweep=made)["status"] == "running"
    with pytest.raises(ValueError, match="order"):
        backtest_sweep_runs(sweep=made, order="-luck")


# --- equity storage and downsampling (pure) --------------------------------------------------


def test_equity_round_trips_exactly_and_compresses_regular_times():
    rng = np.random.default_rng(7)
    times = np.arange(50_000, dtype=np.int64) * 300_000 + 1_704_067_200_000
    values = 10_000 * np.cumprod(1 + rng.normal(0, 1e-3, len(times)))
    times_blob, values_blob = equity_encode(times, values)
    decoded_times, decoded = equity_decode(times_blob, values_blob)
    assert np.array_equal(decoded_times, times) and np.array_equal(decoded, values)
    assert len(times_blob) < 1_000  # 400 kB of int64 times: one repeated step
    assert equity_decode(*equity_encode(np.empty(0), np.empty(0)))[1].size == 0


def max_drawdown(values: np.ndarray) -> float:
    return float(np.max(1 - values / np.maximum.accumulate(values)))


def test_minmax_downsampling_keeps_the_extremes_and_the_ends():
    rng = np.random.default_rng(3)
    values = 10_000 + np.cumsum(rng.normal(0, 10, 100_003))
    keep = minmax_downsample(values, 500)
    assert len(keep) <= 500 and np.all(np.diff(keep) > 0)
    assert keep[0] == 0 and keep[-1] == len(values) - 1
    assert values.argmin() in keep and values.argmax() in keep
    # Bucket extremes survive, so the drawdown seen on the chart is (nearly) the real one.
    assert max_drawdown(values[keep]) == pytest.approx(max_drawdown(values), rel=0.02)
    assert np.array_equal(minmax_downsample(values[:300], 500), np.arange(300))
