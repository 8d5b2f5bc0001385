"""The simulation: one loop iteration per trade, then the equity curve and KPIs from the trades."""

from __future__ import annotations

from bisect import bisect_left
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


@dataclass(frozen=True)
class _Entries:
    """Every bar whose close may open a position (plan.entries), with what a trade opened there
    would be, computed for all of them at once: the loop then reads the ones actually taken,
    one list lookup each. Lists, not arrays: reading one value of a list costs far less."""

    decision: list[int]  # ascending
    side: list[int]
    entry_price: list[float]
    exit_decision: list[int]  # the first exit signal's decision bar from the entry bar on; -1: none
    last: list[int]  # last bar the stop and target are watched on: the exit decision, or the end
    stop: list[float | None]
    target: list[float | None]
    # The first bar in [entry bar, scanned] touching the stop or target (-1: none), its raw
    # fill price and reason (rules.stop_or_target_hits).
    scanned: list[int]
    hit_bar: list[int]
    hit_price: list[float]
    hit_reason: list[int]


# Bars the stop/target scan reads up front, per bar of the series. Event-like entry signals
# (crossings) give windows that add up to about the series; entry signals that stay on for long
# stretches give as many overlapping windows as bars: then each window is cut at its share of
# the budget, and a taken trade's window is read on past the cut when it is taken.
_SCAN_BUDGET_PER_BAR = 2


def _entries(candles: CandleArrays, plan: _DecisionBars, config: BacktestConfig) -> _Entries:
    # The same rules on arrays as on one value: the same float operations, the same results.
    n, decision = len(candles), plan.entries
    side = np.where(plan.go_long[decision], LONG, SHORT)
    entry_bar = decision + 1
    price = rules.entry_price(candles.open[entry_bar], side, config.slippage)
    exit_decision = np.where(
        side == LONG,
        _next_at_or_after(plan.long_exits, entry_bar),
        _next_at_or_after(plan.short_exits, entry_bar),
    )
    # Up to the exit signal's decision bar: that exit fills at the next open, before anything
    # inside the next bar.
    last = np.where(exit_decision >= 0, exit_decision, n - 1)
    stop, target = rules.protective_levels(price, side, config.stop_loss, config.take_profit)
    scanned = last
    budget = _SCAN_BUDGET_PER_BAR * n
    if len(decision) and int((last - entry_bar + 1).sum()) > budget:
        scanned = np.minimum(last, entry_bar + max(budget // len(decision), 1) - 1)
    hits = rules.LevelHits(*(np.empty(len(decision), dtype) for dtype in (int, float, int)))
    for one_side in (LONG, SHORT):
        mine = side == one_side
        found = rules.stop_or_target_hits(
            candles.low,
            candles.high,
            candles.open,
            one_side,
            None if stop is None else stop[mine],
            None if target is None else target[mine],
            entry_bar[mine],
            scanned[mine],
        )
        for column, values in zip(hits, found, strict=True):
            column[mine] = values
    no_level = [None] * len(decision)
    return _Entries(
        decision=decision.tolist(),
        side=side.tolist(),
        entry_price=price.tolist(),
        exit_decision=exit_decision.tolist(),
        last=last.tolist(),
        stop=no_level if stop is None else stop.tolist(),
        target=no_level if target is None else target.tolist(),
        scanned=scanned.tolist(),
        hit_bar=hits.bar.tolist(),
        hit_price=hits.price.tolist(),
        hit_reason=hits.reason.tolist(),
    )


def _next_at_or_after(bars: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per start, the first of the ascending `bars` at or after it; -1 when there is none."""
    return np.r_[bars, -1][bars.searchsorted(starts)]


def _stop_or_target_hit(
    candles: CandleArrays, entries: _Entries, i: int
) -> tuple[int, float, int] | None:
    """The first bar of entry i's window touching its stop or target: (bar, raw fill price,
    reason), or None. Read up front, or past the budget's cut now that the trade is taken."""
    if entries.hit_bar[i] >= 0:
        return entries.hit_bar[i], entries.hit_price[i], entries.hit_reason[i]
    if entries.scanned[i] == entries.last[i]:
        return None
    return rules.stop_or_target_hit(
        candles.low,
        candles.high,
        candles.open,
        entries.side[i],
        entries.stop[i],
        entries.target[i],
        first=entries.scanned[i] + 1,
        last=entries.last[i],
    )


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
    entries = _entries(candles, plan, config)
    fee, slip = config.fee_rate, config.slippage
    closed: list[tuple] = []  # one row per trade, see _LOOP_COLUMNS
    equity = float(config.initial_capital)
    decide_from = 0  # first bar whose close may open a position
    while (i := bisect_left(entries.decision, decide_from)) < len(entries.decision):
        decision, side = entries.decision[i], entries.side[i]
        entry_bar, entry_price = decision + 1, entries.entry_price[i]
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

        exit_decision = entries.exit_decision[i]
        hit = _stop_or_target_hit(candles, entries, i)
        # After a stop or target at bar b, bar b's close may enter again; after a signal exit
        # filled at bar x's open, bar x's close is the next decision, unless the exit's own
        # decision bar asked for the opposite side: that entry fills on the same open.
        if hit is not None:
            exit_bar, raw_exit, reason = hit
            decide_from = exit_bar
        elif exit_decision >= 0:
            exit_bar, reason = exit_decision + 1, SIGNAL
            raw_exit = float(candles.open[exit_bar])
            opposite = plan.go_short if side == LONG else plan.go_long
            decide_from = exit_decision if opposite[exit_decision] else exit_bar
        else:
            exit_bar, raw_exit, reason = n - 1, float(candles.close[n - 1]), END
            decide_from = exit_bar
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
