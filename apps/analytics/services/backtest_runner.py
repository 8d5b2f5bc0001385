"""What a worker does with a run: claim it, backtest it over its span, store the results.

Claim and redelivery (docs/backtesting.md, "Runs, API and workers"): the task is acknowledged
late, so a worker that dies mid-run leaves its message to be delivered again. Every execution
claims the run with one conditional UPDATE (status queued or running -> running, a fresh claim
token, attempts + 1) and stores trades, equity and KPIs in one transaction that first checks it
still holds the token. A run stuck in "running" is therefore simply taken over by the redelivered
message; if the first execution was in fact alive, its results are discarded instead of stored
twice. A finished run (done or failed) is never claimed again.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.datafeeds.hints import fetch_command
from apps.datafeeds.timeframes import timeframe_ms
from apps.datafeeds.times import format_ms
from apps.strategies.registry import InvalidParameters, strategy_spec
from apps.strategies.selectors import strategy_inputs

from ..engine import EXIT_REASONS, BacktestConfig, BacktestResult, run_backtest
from ..equity import equity_encode
from ..events import backtest_run_changed
from ..models import BacktestRun, BacktestStatus, BacktestTrade
from .risk import risk_limits_of, risk_report_json
from .validation import CONFIG_DEFAULTS

logger = logging.getLogger(__name__)

# Executions started before a run is given up as failed: a run that kills its worker every
# time (out of memory, say) must not be redelivered forever.
MAX_ATTEMPTS = 5
_SIGNALS = ("long_entry", "short_entry", "long_exit", "short_exit")
_TRADE_BATCH = 5000  # rows per INSERT of trades
_TRADE_NUMBERS = (
    "entry_time",
    "exit_time",
    "entry_price",
    "exit_price",
    "size",
    "entry_fee",
    "exit_fee",
    "pnl",
    "return_fraction",
)


class NoCandles(LookupError):
    """Nothing stored to backtest over; the message says what to fetch."""


class ExecuteOutcome(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"  # already finished, deleted, or never existed: nothing to do
    SUPERSEDED = "superseded"  # another execution took the run over; its results count


class _Superseded(Exception):
    """The run was taken over by another execution, or deleted: stop quietly."""


def backtest_run_execute(*, run_id: int, worker: str = "") -> ExecuteOutcome:
    """Claim the run, backtest it over its span, store trades, equity and KPIs, mark it done.

    Any error marks the run failed with its message. Safe to call again for the same run at any
    time (a redelivered task): see the module docstring.
    """
    token = uuid.uuid4()
    claimed = BacktestRun.objects.filter(
        pk=run_id, status__in=(BacktestStatus.QUEUED, BacktestStatus.RUNNING)
    ).update(
        status=BacktestStatus.RUNNING,
        claim_token=token,
        attempts=F("attempts") + 1,
        worker=worker[:255],
        progress=0.0,
        error="",
        started_at=timezone.now(),
    )
    if claimed != 1:
        return ExecuteOutcome.SKIPPED
    runs = BacktestRun.objects.select_related("symbol").defer("equity", "equity_times")
    run = runs.filter(pk=run_id).first()
    if run is None:  # deleted right after the claim
        return ExecuteOutcome.SKIPPED
    if run.attempts > MAX_ATTEMPTS:
        message = f"Gave up after {MAX_ATTEMPTS} attempts: each one was interrupted."
        return _finish_failed(run_id, token, message)
    try:
        result, open_times, coverage = _simulate(run, token)
        if not _store(run_id, token, result, open_times, coverage):
            return ExecuteOutcome.SUPERSEDED
    except _Superseded:
        return ExecuteOutcome.SUPERSEDED
    except Exception as error:
        logger.exception("backtest %s failed", run_id)
        expected = isinstance(error, NoCandles | InvalidParameters)
        message = str(error) if expected else f"{type(error).__name__}: {error}"
        return _finish_failed(run_id, token, message)
    return ExecuteOutcome.DONE


@dataclass(frozen=True)
class SpanCoverage:
    """What of the asked span the stored data covered (BacktestRun's data_* and warmup_bars)."""

    data_start_ms: int
    data_end_ms: int
    warmup_bars: int


def warmup_bars_spent(indicators: dict[str, np.ndarray], first: int) -> int:
    """Bars of the span (base bars from `first` on) before every indicator is defined: with too
    little history before the span, the strategy cannot decide there, whatever the market."""
    if not indicators:
        return 0
    ready = np.logical_and.reduce([np.isfinite(v[first:]) for v in indicators.values()])
    return int(np.argmax(ready)) if ready.any() else len(ready)


def _simulate(
    run: BacktestRun, token: uuid.UUID
) -> tuple[BacktestResult, np.ndarray, SpanCoverage]:
    spec = strategy_spec(run.strategy)
    params = spec.validate_params(run.params)
    config = BacktestConfig(**{name: getattr(run, name) for name in CONFIG_DEFAULTS})
    candles = strategy_inputs(
        spec=spec, params=params, symbol=run.symbol, start_ms=run.start_ms, end_ms=run.end_ms
    )
    span = candles.span
    if not len(span):
        warmup_start = run.start_ms - spec.base_warmup(params) * timeframe_ms(run.timeframe)
        raise NoCandles(
            f"No {run.timeframe} candles of {run.symbol} from {format_ms(run.start_ms)} to "
            f"{format_ms(run.end_ms)}. Fetch them: "
            f"{fetch_command(run.symbol, run.timeframe, since_ms=warmup_start)}"
        )
    _progress(run.pk, token, 0.3)
    # The indicators need the warm-up bars, but nothing may be traded, marked or measured before
    # the span: compute the strategy on everything, then give the engine the span's part only.
    signals = spec.compute(candles.base, candles.context, params)
    cut = {name: getattr(signals, name)[candles.first :] for name in _SIGNALS}
    _progress(run.pk, token, 0.6)
    risk = risk_limits_of(run.risk_limits)
    result = run_backtest(span, cut, config=config, risk=risk)
    coverage = SpanCoverage(
        data_start_ms=int(span.open_time[0]),
        data_end_ms=int(span.open_time[-1]) + timeframe_ms(run.timeframe),
        warmup_bars=warmup_bars_spent(signals.indicators, candles.first),
    )
    return result, span.open_time, coverage


def _progress(run_id: int, token: uuid.UUID, value: float) -> None:
    if not BacktestRun.objects.filter(pk=run_id, claim_token=token).update(progress=value):
        raise _Superseded
    backtest_run_changed(run_id=run_id)


def _store(
    run_id: int,
    token: uuid.UUID,
    result: BacktestResult,
    open_times: np.ndarray,
    coverage: SpanCoverage,
) -> bool:
    """Trades, equity and KPIs in one transaction, only while this execution holds the claim."""
    trades = _trade_rows(run_id, result)
    times_blob, values_blob = equity_encode(open_times, result.equity)
    kpis = _json_safe(result.kpis.as_dict())
    with transaction.atomic():
        holder = BacktestRun.objects.select_for_update().filter(
            pk=run_id, claim_token=token, status=BacktestStatus.RUNNING
        )
        if not list(holder.values_list("pk", flat=True)):
            return False  # taken over (or deleted) meanwhile: the other execution stores
        # Trades are only ever written in this transaction, so none can be left from an
        # interrupted attempt; deleting first keeps re-execution idempotent regardless.
        BacktestTrade.objects.filter(run_id=run_id).delete()
        BacktestTrade.objects.bulk_create(trades, batch_size=_TRADE_BATCH)
        BacktestRun.objects.filter(pk=run_id).update(
            status=BacktestStatus.DONE,
            progress=1.0,
            kpis=kpis,
            bars=len(open_times),
            equity=values_blob,
            equity_times=times_blob,
            risk_report=risk_report_json(result),
            data_start_ms=coverage.data_start_ms,
            data_end_ms=coverage.data_end_ms,
            warmup_bars=coverage.warmup_bars,
            finished_at=timezone.now(),
        )
    return True


def _trade_rows(run_id: int, result: BacktestResult) -> list[BacktestTrade]:
    table = result.trade_table
    columns = {
        "side": np.where(table.side > 0, "long", "short").tolist(),
        "exit_reason": [EXIT_REASONS[reason] for reason in table.exit_reason.tolist()],
        **{name: getattr(table, name).tolist() for name in _TRADE_NUMBERS},
    }
    return [
        BacktestTrade(run_id=run_id, number=number, **dict(zip(columns, row, strict=True)))
        for number, row in enumerate(zip(*columns.values(), strict=True))
    ]


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """JSON has no NaN or infinity (PostgreSQL's jsonb refuses them): those become null."""
    return {
        key: None if isinstance(value, float) and not math.isfinite(value) else value
        for key, value in values.items()
    }


def _finish_failed(run_id: int, token: uuid.UUID, message: str) -> ExecuteOutcome:
    failed = BacktestRun.objects.filter(pk=run_id, claim_token=token).update(
        status=BacktestStatus.FAILED, error=message[:4000], finished_at=timezone.now()
    )
    return ExecuteOutcome.FAILED if failed else ExecuteOutcome.SUPERSEDED
