"""What the engine gives out: the trades (as columns and as records) and the equity curve.

Three trade types, one per layer:

- `TradeTable` (here): the engine's output and the one source of truth, the trades as NumPy
  columns. KPIs, the equity curve and storage are computed from it.
- `Trade` (here): one trade as a frozen record with readable side and exit reason
  (`BacktestResult.trades`, built on demand from the table), for tests, notebooks and JSON.
- `BacktestTrade` (`apps/analytics/models.py`): a stored run's trade, one database row, written
  from the table by `services/backtest_runner.py` and read by the API.

The simulation loop itself records plain tuples in `TradeTable`'s column order (no fourth type).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

LONG, SHORT = 1, -1
SIDE_NAMES = {LONG: "long", SHORT: "short"}

# Exit reasons, stored as small ints in TradeTable.exit_reason (index into EXIT_REASONS).
SIGNAL, STOP_LOSS, TAKE_PROFIT, END, KILL_SWITCH = 0, 1, 2, 3, 4
# "kill_switch": a risk profile's drawdown limit closed the position at the next open.
EXIT_REASONS = ("signal", "stop_loss", "take_profit", "end", "kill_switch")


@dataclass(frozen=True, slots=True)
class Trade:
    side: str  # "long" | "short"
    entry_bar: int  # index of the bar whose open filled the entry
    exit_bar: int  # index of the bar in which the exit filled
    entry_time: int  # epoch ms: the entry bar's open time
    # epoch ms: the exit bar's open time (a stop or target fills at an unknown moment inside
    # that bar); for "end", the last bar's close time
    exit_time: int
    size: float  # units of the base asset (> 0)
    entry_price: float  # fill price, slippage included
    exit_price: float
    entry_fee: float  # quote currency
    exit_fee: float
    pnl: float  # net of both fees, quote currency
    return_fraction: float  # pnl / (size * entry_price)
    exit_reason: str  # "signal" | "stop_loss" | "take_profit" | "end" | "kill_switch"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TradeTable:
    """The trades as columns (one row per trade, in time order): what the KPIs and the equity
    curve are computed from."""

    side: np.ndarray  # int8: +1 long, -1 short
    entry_bar: np.ndarray  # int64
    exit_bar: np.ndarray
    entry_time: np.ndarray  # int64 epoch ms
    exit_time: np.ndarray
    size: np.ndarray  # float64 units
    entry_price: np.ndarray
    exit_price: np.ndarray
    entry_fee: np.ndarray
    exit_fee: np.ndarray
    pnl: np.ndarray
    return_fraction: np.ndarray
    exit_reason: np.ndarray  # int8 index into EXIT_REASONS
    equity_after: np.ndarray  # realised equity once the trade is closed

    def __len__(self) -> int:
        return len(self.side)

    @property
    def fees(self) -> np.ndarray:
        return self.entry_fee + self.exit_fee

    def to_trades(self) -> list[Trade]:
        columns = {name: getattr(self, name).tolist() for name in _TRADE_FIELDS}
        columns["side"] = [SIDE_NAMES[side] for side in columns["side"]]
        columns["exit_reason"] = [EXIT_REASONS[reason] for reason in columns["exit_reason"]]
        return [Trade(*row) for row in zip(*columns.values(), strict=True)]


_TRADE_FIELDS = tuple(f.name for f in fields(Trade))  # in Trade's positional order


def equity_curve(
    close: np.ndarray, trades: TradeTable, initial_capital: float
) -> tuple[np.ndarray, np.ndarray]:
    """Equity at each bar's close (cash plus the open position marked to the close, no exit
    fee deducted before the exit) and the side held at each close, from the trade list.

    A trade is held at the closes of bars [entry_bar, exit_bar); at its exit bar's close the
    equity is the realised `equity_after`. The bars split into stretches (flat, held, flat,
    held, ...) and each per-bar array is its stretches' values repeated: no per-bar gather."""
    n = len(close)
    count = len(trades)
    entry_equity = np.r_[initial_capital, trades.equity_after[:-1]][:count] - trades.entry_fee
    # Stretch k starts at bounds[k]: bar 0, then each trade's entry and exit bar in turn. Per
    # trade its entry comes before its exit, and a trade before the next one (a reversal enters
    # on its predecessor's exit bar): a stretch that the next one starts on the same bar is
    # empty, so the later value wins, as a later write would.
    bounds = np.r_[0, np.column_stack([trades.entry_bar, trades.exit_bar]).ravel()]
    lengths = np.diff(bounds, append=n)
    level = np.repeat(
        np.r_[initial_capital, np.column_stack([entry_equity, trades.equity_after]).ravel()],
        lengths,
    )
    # Held stretches carry the trade's side, size and entry; flat ones 0, so 0 is marked there.
    flat = np.zeros(count)
    side = np.column_stack([trades.side, flat]).ravel()
    exposure = np.column_stack([trades.side * trades.size, flat]).ravel()
    entry = np.column_stack([trades.entry_price, flat]).ravel()
    position = np.repeat(np.r_[0, side].astype(np.int8), lengths)
    marked = np.repeat(np.r_[0.0, exposure], lengths) * (
        close - np.repeat(np.r_[0.0, entry], lengths)
    )
    return level + marked, position
