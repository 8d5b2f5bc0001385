"""A risk profile inside the backtest (SPEC §9, docs/risk.md): the engine asks the same pure
`risk_check` a bot asks, before every entry, and applies the drawdown kill switch.

- Before every entry (a fresh one or a reversal) the gate brings the `RiskState` to the decision
  bar's close (a new UTC day starts afresh; bars since the last stop-loss) and asks
  `risk_check` with the decision bar's close as the expected price: what a bot knows when it
  decides. An allowed entry takes the decision's size; the stop and target are the profile's
  fractions of the actual fill, as in every backtest.
- A refusal never costs a loop iteration per bar: each refusing rule says from which decision bar
  it lifts (cooldown: the stop-loss bar + cooldown_bars; daily loss: the first bar closing on the
  next UTC day; anything else: the next bar), the loop resumes at the latest of them, and the
  entry signals skipped meanwhile are counted per rule with `searchsorted`.
- After each trade the state takes its PnL (`state_after_exit`).
- Kill switch: `drawdown_reached` is applied to the whole per-bar equity curve (marked to market
  at every close, as a bot marks it at every step) once the loop is done. Trading cannot change
  anything before the first breach, so the trades up to it stand; the position held at that close
  is closed at the next open (exit reason "kill_switch") and everything after is dropped, its
  entry signals counted as blocked by the kill switch.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.risk.check import (
    COOLDOWN,
    DAILY_LOSS,
    DRAWDOWN,
    MS_PER_DAY,
    EntryIntent,
    RiskLimits,
    drawdown_reached,
    kill_switch_reason,
    risk_check,
    state_after_exit,
    state_at,
    state_new,
)

from ..kpis import bar_duration_ms
from .config import BacktestConfig
from .trades import KILL_SWITCH, STOP_LOSS, TradeTable

_DURATION_SAMPLE = 4096  # bars whose steps give the bar duration


@dataclass(frozen=True)
class KillSwitch:
    bar: int  # the bar at whose close the drawdown limit was reached
    time_ms: int  # that close, epoch ms UTC
    reason: str


@dataclass(frozen=True)
class RiskReport:
    """What the risk profile did to a backtest."""

    limits: RiskLimits
    # Entry signals refused, per rule code. One signal refused by two rules counts under both;
    # after the kill switch every signal counts under "drawdown" only.
    blocked: dict[str, int]
    blocked_total: int  # distinct entry signals refused
    examples: dict[str, str]  # rule code -> the words of its first refusal
    sized_by: dict[str, int]  # what set the size of the entries taken: counts per limit
    kill_switch: KillSwitch | None

    def as_dict(self) -> dict[str, Any]:
        kill = self.kill_switch
        return {
            "blocked": dict(self.blocked),
            "blocked_total": self.blocked_total,
            "examples": dict(self.examples),
            "sized_by": dict(self.sized_by),
            "kill_switch": None
            if kill is None
            else {"bar": kill.bar, "time_ms": kill.time_ms, "reason": kill.reason},
        }


class RiskGate:
    """The risk state of one backtest, asked by the loop before each entry."""

    def __init__(self, candles: CandleArrays, limits: RiskLimits, config: BacktestConfig):
        self.limits = limits
        self._candles = candles
        self._config = config
        self._close = candles.close
        self._open_time = candles.open_time
        self._fee_rate = config.fee_rate
        # A decision is taken at its bar's close. The bar duration is the median step, as the
        # KPIs take it; the first steps tell it as well as all of them (candles are a regular
        # series) at a fraction of the cost.
        bar_ms = bar_duration_ms(candles.open_time[:_DURATION_SAMPLE])
        self._close_time = candles.open_time + bar_ms
        self.state = state_new(equity=config.initial_capital, time_ms=int(candles.open_time[0]))
        self._last_stop_bar: int | None = None
        self._entries = np.empty(0, dtype=np.int64)
        # One per refusal: (decision bar, {rule: first decision bar it no longer refuses}).
        self._refusals: list[tuple[int, dict[str, int]]] = []
        self._examples: dict[str, str] = {}
        self._sized_by: list[str] = []  # per entry taken, in order: what set its size
        self.resume_from: int | None = None  # after a refusal: where to look again (None: never)

    def begin(self, entries: np.ndarray) -> None:
        """The decision bars at which a flat account would open (to count skipped signals)."""
        self._entries = entries

    def admit(self, decision: int, side: int) -> float | None:
        """The size to enter with at `decision`'s close, or None when refused (then
        `resume_from` says from which bar to look again)."""
        time_ms = self._close_time.item(decision)  # .item(): a Python int, cheaper per trade
        last_stop = self._last_stop_bar
        self.state = state = state_at(
            self.state,
            time_ms=time_ms,
            realised_equity=self.state.equity,
            bars_since_stop_loss=None if last_stop is None else decision - last_stop,
        )
        # Positional: this runs once per trade.
        intent = EntryIntent(side, self._close.item(decision), time_ms, None, "", self._fee_rate)
        verdict = risk_check(intent, state, self.limits)
        if verdict.allowed:
            self._sized_by.append(verdict.sized_by)
            return verdict.size
        lifts = {rule: self._lifted_at(rule, decision) for rule in verdict.rules}
        self._refusals.append((decision, lifts))
        for rule, reason in zip(verdict.rules, verdict.reasons, strict=True):
            self._examples.setdefault(rule, reason)
        self.resume_from = None if verdict.kill_switch else max(lifts.values())
        return None

    def _lifted_at(self, rule: str, decision: int) -> int:
        """The first decision bar at which `rule` no longer refuses, nothing else happening."""
        if rule == COOLDOWN:
            lifted = self._last_stop_bar + self.limits.cooldown_bars
        elif rule == DAILY_LOSS:
            next_day = self.state.day_ms + MS_PER_DAY
            lifted = int(self._close_time.searchsorted(next_day))
        elif rule == DRAWDOWN:
            lifted = len(self._candles)
        else:  # about this entry only (its price, its stop): the next signal is asked afresh
            lifted = decision + 1
        return max(lifted, decision + 1)

    def record_exit(self, exit_bar: int, reason: int, pnl: float, equity: float) -> None:
        self.state = state_after_exit(
            self.state,
            pnl=pnl,
            time_ms=self._open_time.item(exit_bar),
            realised_equity_before=self.state.equity,
            equity=equity,
            stop_loss_hit=reason == STOP_LOSS,
            limits=self.limits,
        )
        if reason == STOP_LOSS:
            self._last_stop_bar = exit_bar

    def finish(
        self, trades: TradeTable, equity: np.ndarray, position: np.ndarray
    ) -> tuple[TradeTable, np.ndarray, np.ndarray, RiskReport]:
        """Apply the kill switch to the equity curve, then count the refusals."""
        kill = None
        blocked_from = len(self._candles)  # first decision bar the kill switch blocks
        if self.limits.max_drawdown is not None and len(equity):
            peak = np.maximum.accumulate(equity)
            np.maximum(peak, self._config.initial_capital, out=peak)
            breached = drawdown_reached(equity, peak, self.limits.max_drawdown)
            bar = int(breached.argmax())
            if breached[bar]:
                limit = self.limits.max_drawdown
                reason = kill_switch_reason(float(equity[bar]), float(peak[bar]), limit)
                kill = KillSwitch(bar, int(self._close_time[bar]), reason)
                trades, held = _cut_at(trades, bar, self._candles, self._config)
                blocked_from = bar + 1 if held else bar
                # What equity_curve gives for the cut trades (a test checks it), without
                # recomputing the bars up to the kill, which nothing changed: flat from the next
                # bar on at the last trade's realised equity.
                equity, position = equity.copy(), position.copy()
                if len(trades):
                    equity[bar + 1 :] = trades.equity_after[-1]
                position[bar + 1 :] = 0
        return trades, equity, position, self._report(kill, blocked_from, len(trades))

    def _report(self, kill: KillSwitch | None, blocked_from: int, kept: int) -> RiskReport:
        entries = self._entries

        def signals_in(first: int, stop: int) -> int:
            stop = min(stop, blocked_from)
            if stop <= first:
                return 0
            return int(entries.searchsorted(stop) - entries.searchsorted(first))

        blocked: Counter[str] = Counter()
        total = 0
        for decision, lifts in self._refusals:
            for rule, lifted in lifts.items():
                blocked[rule] += signals_in(decision, lifted)
            total += signals_in(decision, max(lifts.values()))
        if kill is not None:
            killed = int(len(entries) - entries.searchsorted(blocked_from))
            blocked[DRAWDOWN] = killed
            total += killed
            self._examples[DRAWDOWN] = kill.reason
        counts = {rule: count for rule, count in blocked.items() if count}
        examples = {rule: text for rule, text in self._examples.items() if rule in counts}
        sized_by = dict(Counter(self._sized_by[:kept]))  # entries after the kill are dropped
        return RiskReport(self.limits, counts, total, examples, sized_by, kill_switch=kill)


def _cut_at(
    trades: TradeTable, bar: int, candles: CandleArrays, config: BacktestConfig
) -> tuple[TradeTable, bool]:
    """The trades up to the kill switch at `bar`'s close: the one held then closes at the next
    open (exit reason "kill_switch"), later ones are dropped. Also: whether one was held."""
    holding = np.flatnonzero((trades.entry_bar <= bar) & (bar < trades.exit_bar))
    if not len(holding) or bar + 1 >= len(candles):  # flat, or the last close ends it anyway
        keep = int(np.searchsorted(trades.entry_bar, bar, side="right"))
        return _rows(trades, keep), bool(len(holding))
    j = int(holding[0])
    columns = {name: array.copy() for name, array in _rows(trades, j + 1).__dict__.items()}
    side, size = float(columns["side"][j]), float(columns["size"][j])
    entry_price, entry_fee = float(columns["entry_price"][j]), float(columns["entry_fee"][j])
    exit_price = float(candles.open[bar + 1]) * (1 - side * config.slippage)
    exit_fee = size * exit_price * config.fee_rate
    gross = side * size * (exit_price - entry_price)
    before = float(columns["equity_after"][j - 1]) if j else config.initial_capital
    pnl = gross - entry_fee - exit_fee
    for name, value in {
        "exit_bar": bar + 1,
        "exit_time": int(candles.open_time[bar + 1]),
        "exit_price": exit_price,
        "exit_fee": exit_fee,
        "pnl": pnl,
        "return_fraction": pnl / (size * entry_price),
        "exit_reason": KILL_SWITCH,
        # In the order the loop books it.
        "equity_after": (before - entry_fee) + (gross - exit_fee),
    }.items():
        columns[name][j] = value
    return TradeTable(**columns), True


def _rows(trades: TradeTable, count: int) -> TradeTable:
    return TradeTable(**{name: array[:count] for name, array in trades.__dict__.items()})
