"""What a stored run must equal: the engine called directly on the same candles, read from the
CSV files rather than the database (so storing and loading are what the comparison proves)."""

from __future__ import annotations

import numpy as np

from apps.analytics.engine import BacktestConfig, BacktestResult, run_backtest
from apps.analytics.models import BacktestRun, BacktestStatus
from apps.analytics.selectors import backtest_equity
from apps.analytics.services import CONFIG_DEFAULTS
from apps.analytics.services.risk import risk_limits_of
from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.timeframes import bucket_floor, timeframe_ms
from apps.strategies.registry import strategy_spec

SIGNALS = ("long_entry", "short_entry", "long_exit", "short_exit")
TRADE_FIELDS = (
    "side",
    "entry_time",
    "exit_time",
    "entry_price",
    "exit_price",
    "size",
    "entry_fee",
    "exit_fee",
    "pnl",
    "return_fraction",
    "exit_reason",
)


def between(candles: CandleArrays, first_ms: int, last_ms: int) -> CandleArrays:
    """Candles with first_ms <= open time <= last_ms."""
    return candles.slice((candles.open_time >= first_ms) & (candles.open_time <= last_ms))


def engine_on_file_candles(run: BacktestRun, files: dict[str, CandleArrays]) -> BacktestResult:
    """The engine on the run's candles from the files: the warm-up before the span for the
    indicators, the span alone for the engine."""
    spec = strategy_spec(run.strategy)
    base_start = run.start_ms - spec.base_warmup(run.params) * timeframe_ms(spec.base_timeframe)
    context = {}
    for tf in spec.context_timeframes:
        warmup_ms = spec.context_warmup(run.params) * timeframe_ms(tf)
        tf_start = int(bucket_floor(run.start_ms, tf)) - warmup_ms
        context[tf] = between(files[tf], tf_start, run.end_ms - timeframe_ms(tf))
    base = between(files["5m"], base_start, run.end_ms - 1)
    first = int(np.searchsorted(base.open_time, run.start_ms))
    signals = spec.compute(base, context, run.params)
    config = BacktestConfig(**{k: getattr(run, k) for k in CONFIG_DEFAULTS})
    span = base.slice(slice(first, None))
    cut = {k: getattr(signals, k)[first:] for k in SIGNALS}
    return run_backtest(span, cut, config=config, risk=risk_limits_of(run.risk_limits))


def assert_stored_equals(run: BacktestRun, result: BacktestResult) -> None:
    """Status done, and trades, KPIs and equity exactly the engine's (float64 survives
    PostgreSQL's double precision and jsonb numbers)."""
    run.refresh_from_db()
    assert run.status == BacktestStatus.DONE and run.progress == 1.0 and run.error == ""
    stored = list(run.trades.order_by("number").values_list(*TRADE_FIELDS))
    assert stored == [tuple(t.as_dict()[f] for f in TRADE_FIELDS) for t in result.trades]
    assert run.kpis == result.kpis.as_dict()
    curve = backtest_equity(run=run)
    assert np.array_equal(curve.values, result.equity)
    assert run.bars == len(result.equity) == curve.total
