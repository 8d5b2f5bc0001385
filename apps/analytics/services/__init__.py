"""Writes of backtests, by sub-domain: `runs` (create, delete), `sweeps` (grid -> runs),
`backtest_runner` (claim, backtest, store: what a worker does with a run), `validation` (shared
input checks)."""

from .backtest_runner import MAX_ATTEMPTS, ExecuteOutcome, NoCandles, backtest_run_execute
from .runs import backtest_run_create, backtest_run_delete
from .sweeps import MAX_SWEEP_RUNS, backtest_sweep_create
from .validation import CONFIG_DEFAULTS, BacktestInvalid, QuotaExceeded

__all__ = [
    "CONFIG_DEFAULTS",
    "MAX_ATTEMPTS",
    "MAX_SWEEP_RUNS",
    "BacktestInvalid",
    "QuotaExceeded",
    "ExecuteOutcome",
    "NoCandles",
    "backtest_run_create",
    "backtest_run_delete",
    "backtest_run_execute",
    "backtest_sweep_create",
]
