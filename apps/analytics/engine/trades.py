"""What the engine gives out: the trades (as records and as columns) and the equity curve."""

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
    equity is the realised `equity_after`."""
    n = len(close)
    count = len(trades)
    entry_equity = np.r_[initial_capital, trades.equity_after[:-1]][:count] - trades.entry_fee
    # The realised level of each stretch, set where it starts and carried forward. Per trade
    # its entry comes before its exit, and a trade before the next one (a reversal enters on its
    # predecessor's exit bar), so in this order the last write on a shared bar is the right one.
    starts = np.column_stack([trades.entry_bar, trades.exit_bar]).ravel()
    levels = np.column_stack([entry_equity, trades.equity_after]).ravel()
    level_at = np.full(n, np.nan)
    level_at[:1] = initial_capital
    level_at[starts] = levels
    last_set = np.maximum.accumulate(np.where(np.isnan(level_at), 0, np.arange(n)))
    level = level_at[last_set]

    held_bars, owner = _held_bars(trades.entry_bar, trades.exit_bar)
    position = np.zeros(n, dtype=np.int8)
    position[held_bars] = trades.side[owner]
    marked = np.zeros(n)
    marked[held_bars] = (
        trades.side[owner] * trades.size[owner] * (close[held_bars] - trades.entry_price[owner])
    )
    return level + marked, position


def _held_bars(entry_bar: np.ndarray, exit_bar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every bar in [entry_bar, exit_bar) of every trade, and the trade each belongs to."""
    lengths = exit_bar - entry_bar
    owner = np.repeat(np.arange(len(lengths)), lengths)
    offset_in_trade = np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return entry_bar[owner] + offset_in_trade, owner
