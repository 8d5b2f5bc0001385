"""The simulation: one loop iteration per trade, then the equity curve and KPIs from the trades."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays

from . import rules
from .config import BacktestConfig, SignalArrays
from .kpis import Kpis, bar_duration_ms, compute_kpis
from .risk_gate import RiskGate, RiskReport
from .trades import (
    END,
    LONG,
    SHORT,
    SIGNAL,
    Trade,
    TradeTable,
    equity_curve,
)

if TYPE_CHECKING:
    from apps.risk.check import RiskLimits
    from apps.strategies.registry import StrategyResult, StrategySpec


@dataclass(frozen=True)
class BacktestResult:
    config: BacktestConfig
    trade_table: TradeTable
    equity: np.ndarray  # per bar: equity marked to market at the bar's close
    position: np.ndarray  # per bar: int8 side held at the close (+1, -1, 0)
    kpis: Kpis
    open_at_end: bool  # the last trade was still open after the last bar (exit reason "end")
    risk: RiskReport | None = None  # what the risk profile blocked and sized (None: no profile)

    @cached_property
    def trades(self) -> list[Trade]:
        """The trades as records, built on first use (thousands of objects cost milliseconds)."""
        return self.trade_table.to_trades()


@dataclass(frozen=True)
class _DecisionBars:
    """Bars (ascending indices) at whose close something is decided; all are < n - 1, since a
    decision needs a next bar to fill on."""

    go_long: np.ndarray  # bool per bar: long entry without a short entry
    go_short: np.ndarray  # bool per bar: short entry without a long entry (and shorts allowed)
    entries: np.ndarray  # bars where a flat account opens a position
    long_exits: np.ndarray  # bars where a long is closed: long_exit or a short entry
    short_exits: np.ndarray  # bars where a short is closed: short_exit or a long entry


def _decision_bars(signals: SignalArrays, allow_short: bool) -> _DecisionBars:
    n = len(signals.long_entry)
    wants = rules.bar_decisions(
        signals.long_entry, signals.short_entry, signals.long_exit, signals.short_exit, allow_short
    )
    decidable = slice(0, max(n - 1, 0))  # the last bar has no next bar to fill on
    return _DecisionBars(
        go_long=wants.go_long,
        go_short=wants.go_short,
        entries=np.flatnonzero((wants.go_long | wants.go_short)[decidable]),
        long_exits=np.flatnonzero(wants.close_long[decidable]),
        short_exits=np.flatnonzero(wants.close_short[decidable]),
    )


def _first_at_or_after(bars: np.ndarray, start: int) -> int | None:
    k = bars.searchsorted(start)  # the method: np.searchsorted's dispatch costs more per trade
    return int(bars[k]) if k < len(bars) else None


def _stop_or_target_hit(
    candles: CandleArrays,
    side: int,
    first: int,
    last: int,
    stop: float | None,
    target: float | None,
) -> tuple[int, float, int] | None:
    """The first bar in [first, last] whose range touches the stop or the target (the rule of
    rules.stop_or_target_hit, on that window): (bar, raw fill price, reason)."""
    window = slice(first, last + 1)
    hit = rules.stop_or_target_hit(
        candles.low[window], candles.high[window], candles.open[window], side, stop, target
    )
    return None if hit is None else (first + hit[0], hit[1], hit[2])


# What the loop records per trade, in this order: TradeTable's columns without the two times
# (added once, vectorised, by _trade_table). Plain tuples: the loop stays cheap per trade.
_LOOP_COLUMNS = tuple(f.name for f in fields(TradeTable) if not f.name.endswith("_time"))


def _simulate(
    candles: CandleArrays,
    signals: SignalArrays,
    config: BacktestConfig,
    gate: RiskGate | None = None,
) -> TradeTable:
    """The trades, one loop iteration per trade (and, with a risk gate, per refusal)."""
    n = len(candles)
    plan = _decision_bars(signals, config.allow_short)
    if gate is not None:
        gate.begin(plan.entries)
    fee, slip = config.fee_rate, config.slippage
    closed: list[tuple] = []  # one row per trade, see _LOOP_COLUMNS
    equity = float(config.initial_capital)
    decide_from = 0  # first bar whose close may open a position
    reverse_into = 0  # side to open on the open that closed the last trade (a reversal), or 0
    exit_bar = 0
    while True:
        if reverse_into:
            side, entry_bar, reverse_into = reverse_into, exit_bar, 0
            decision = exit_bar - 1
        else:
            decision = _first_at_or_after(plan.entries, decide_from)
            if decision is None:
                break
            side = LONG if plan.go_long[decision] else SHORT
            entry_bar = decision + 1
        entry_price = rules.entry_price(float(candles.open[entry_bar]), side, slip)
        if gate is None:
            # Notional plus the entry fee use `size` of the equity (as backtesting.py sizes orders).
            size = rules.entry_size(config.size, equity, entry_price, fee)
        else:
            size = gate.admit(decision, side)
            if size is None:  # refused: look again where the refusing rules lift
                if gate.resume_from is None:
                    break
                decide_from = gate.resume_from
                continue
        entry_fee = rules.fee(size, entry_price, fee)

        exit_decision = _first_at_or_after(
            plan.long_exits if side == LONG else plan.short_exits, entry_bar
        )
        hit = None
        if config.stop_loss is not None or config.take_profit is not None:
            stop, target = rules.protective_levels(
                entry_price, side, config.stop_loss, config.take_profit
            )
            # Up to the exit signal's decision bar: that exit fills at the next open, before
            # anything inside the next bar.
            last = exit_decision if exit_decision is not None else n - 1
            hit = _stop_or_target_hit(candles, side, entry_bar, last, stop, target)
        if hit is not None:
            exit_bar, raw_exit, reason = hit
        elif exit_decision is not None:
            exit_bar, reason = exit_decision + 1, SIGNAL
            raw_exit = float(candles.open[exit_bar])
            opposite = plan.go_short if side == LONG else plan.go_long
            if opposite[exit_decision]:
                reverse_into = -side
        else:
            exit_bar, raw_exit, reason = n - 1, float(candles.close[n - 1]), END
        exit_price = rules.exit_price(raw_exit, side, slip)
        closed_trade = rules.trade_close(
            side=side,
            size=size,
            entry_price=entry_price,
            entry_fee=entry_fee,
            exit_price=exit_price,
            fee_rate=fee,
            equity_before=equity,
        )
        exit_fee, pnl, equity = closed_trade.exit_fee, closed_trade.pnl, closed_trade.equity_after
        closed.append(
            (
                side,
                entry_bar,
                exit_bar,
                size,
                entry_price,
                exit_price,
                entry_fee,
                exit_fee,
                pnl,
                closed_trade.return_fraction,
                reason,
                equity,
            )
        )
        if gate is not None:
            gate.record_exit(exit_bar, reason, pnl, equity)
        if equity <= 0:  # nothing left to trade with (no margin calls are modelled)
            break
        # After a stop or target at bar b, bar b's close may enter again; after a signal exit
        # filled at bar x's open, bar x's close is the next decision.
        decide_from = exit_bar
    return _trade_table(candles, closed)


def _trade_table(candles: CandleArrays, closed: list[tuple]) -> TradeTable:
    # One conversion of the whole list (every value is a float or a small int, exact in float64),
    # then each column in its own type: a dozen conversions of the same tuples cost 10x more.
    matrix = np.array(closed, dtype=np.float64).reshape(len(closed), len(_LOOP_COLUMNS))
    columns = {
        name: matrix[:, i].astype(_COLUMN_TYPES[name]) for i, name in enumerate(_LOOP_COLUMNS)
    }
    entry_time = candles.open_time[columns["entry_bar"]]
    exit_time = candles.open_time[columns["exit_bar"]]
    # An "end" exit happens at the last close, one bar after that bar's open time.
    ends_at_close = columns["exit_reason"] == END
    if ends_at_close.any():
        exit_time = np.where(
            ends_at_close, exit_time + bar_duration_ms(candles.open_time), exit_time
        )
    return TradeTable(entry_time=entry_time, exit_time=exit_time, **columns)


_COLUMN_TYPES = {
    name: np.int8 if name in ("side", "exit_reason") else np.int64 if "bar" in name else np.float64
    for name in _LOOP_COLUMNS
}


def run_backtest(
    candles: CandleArrays,
    signals: StrategyResult | SignalArrays | Mapping[str, Any],
    *,
    config: BacktestConfig | None = None,
    risk: RiskLimits | None = None,
) -> BacktestResult:
    """Simulate `signals` (boolean arrays aligned to `candles`) under `config`.

    With `risk` (a risk profile's values) every entry is sized and allowed by the risk check,
    the profile's stop-loss and take-profit replace the config's, and the drawdown kill switch
    ends trading (engine/risk_gate.py); `size` is then unused."""
    config = config or BacktestConfig()
    n = len(candles)
    arrays = SignalArrays.from_any(signals, n)
    gate = None
    if risk is not None and n:
        config = replace(config, stop_loss=risk.stop_loss, take_profit=risk.take_profit)
        gate = RiskGate(candles, risk, config)
    trades = _simulate(candles, arrays, config, gate) if n else _trade_table(candles, [])
    equity, position = equity_curve(candles.close, trades, config.initial_capital)
    report = None
    if gate is not None:
        trades, equity, position, report = gate.finish(trades, equity, position)
    return BacktestResult(
        config=config,
        trade_table=trades,
        equity=equity,
        position=position,
        kpis=compute_kpis(trades, equity, candles, config.initial_capital),
        open_at_end=bool(len(trades) and trades.exit_reason[-1] == END),
        risk=report,
    )


def backtest_strategy(
    spec: StrategySpec,
    candles: CandleArrays,
    context: Mapping[str, CandleArrays | None] | None = None,
    params: Mapping[str, Any] | None = None,
    config: BacktestConfig | None = None,
    risk: RiskLimits | None = None,
) -> BacktestResult:
    """Compute the strategy's signals on `candles` (parameters validated against its schema:
    defaults filled in, unknown or out-of-bounds ones an error), then backtest them."""
    full_params = spec.validate_params(params or {})
    result = spec.compute(candles, context or {}, full_params)
    return run_backtest(candles, result, config=config, risk=risk)
