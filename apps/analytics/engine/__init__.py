"""The backtesting engine (SPEC §6): signals in, trades, an equity curve and KPIs out.

A pure package (NumPy only, no Django). Every rule is written down in docs/backtesting.md; in
short:

- A decision is taken at a bar's close and filled at the NEXT bar's open.
- Flat: an entry signal opens a position (long_entry and short_entry on the same bar: neither).
- In a position: its exit signal, or the opposite side's entry, closes it at the next open; the
  opposite entry also opens the reverse position on that same open (a reversal).
- Stop-loss / take-profit are fractions from the entry fill price, checked on each bar's high/low
  from the entry fill bar on; the stop first when both are touched; a gap fills at the open.
- A signal exit fills at the open, so on its fill bar it comes before any stop or target.
- A position still open after the last bar is closed at the last close (exit reason "end").
- With a risk profile, every entry asks apps.risk.check.risk_check first (engine/risk_gate.py).

The Python loop runs once per trade: the next entry and the next exit decision are found with
`np.searchsorted` over precomputed decision bars, and a stop or target hit with one vectorised
comparison over the bars the trade is held.
"""

from .config import CONFIG_BOUNDS, BacktestConfig, SignalArrays, config_errors
from .risk_gate import KillSwitch, RiskReport
from .simulate import BacktestResult, backtest_strategy, run_backtest
from .trades import (
    END,
    EXIT_REASONS,
    KILL_SWITCH,
    LONG,
    SHORT,
    SIGNAL,
    STOP_LOSS,
    TAKE_PROFIT,
    Trade,
    TradeTable,
    equity_curve,
)

__all__ = [
    "END",
    "EXIT_REASONS",
    "KILL_SWITCH",
    "LONG",
    "SHORT",
    "SIGNAL",
    "STOP_LOSS",
    "TAKE_PROFIT",
    "CONFIG_BOUNDS",
    "BacktestConfig",
    "BacktestResult",
    "KillSwitch",
    "RiskReport",
    "SignalArrays",
    "Trade",
    "TradeTable",
    "backtest_strategy",
    "config_errors",
    "equity_curve",
    "run_backtest",
]
