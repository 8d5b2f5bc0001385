"""backtesting.py (0.6.6) replaying our signal arrays under our engine's rules: the reference of
`make bench` and of the cross-check test (apps/analytics/tests/test_against_backtesting_py.py).

No Django. backtesting.py is a test/bench dependency only, imported inside the function.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pandas as pd

from apps.analytics.engine import BacktestConfig, SignalArrays
from apps.datafeeds.arrays import CandleArrays

# backtesting.py trades whole units. FractionalBacktest rescales prices so that one unit is
# this many BTC: sizes are then floor(equity / (price * unit * (1 + fee))) units, whose
# rounding (< 1 unit in ~1e12 or more) stays far below the 1e-9 the comparison asserts.
REFERENCE_UNIT = 1e-15


def backtesting_py_run(
    candles: CandleArrays,
    signals: Any,
    config: BacktestConfig,
    *,
    fractional_unit: float = REFERENCE_UNIT,
) -> pd.Series:
    """Replay the same signal arrays through backtesting.py under the engine's rules (see
    docs/backtesting.md, "Cross-check"); returns its stats Series.

    The strategy reads the precomputed arrays by bar index. What it does to express our rules:
    - entries and exits are market orders placed at bar i's close (filled at the next open);
    - stop and target are set on the order as absolute prices from the NEXT bar's open, which
      is the entry fill price (slippage must be 0: backtesting.py's `spread` is charged on
      entries only), so they are fractions of the fill as in the engine;
    - before a signal exit it cancels the trade's stop and target: the exit fills at the open,
      before anything inside that bar (backtesting.py would otherwise process them first);
    - at the last bar it closes the position, and one extra bar (open = high = low = close =
      the last close) is appended so that this close fills at the last close.
    """
    from backtesting import Strategy
    from backtesting.lib import FractionalBacktest

    if config.slippage_bps:
        raise ValueError("backtesting.py applies its spread to entries only; use slippage 0")
    n = len(candles)
    arrays = SignalArrays.from_any(signals, n)
    go_long = arrays.long_entry & ~arrays.short_entry
    go_short = arrays.short_entry & ~arrays.long_entry
    frame = _reference_frame(candles)
    next_open = frame["Open"].to_numpy()[1:] * fractional_unit  # as FractionalBacktest scales
    size = config.size if config.size < 1 else 1 - sys.float_info.epsilon  # "all equity"

    class Replay(Strategy):
        def init(self) -> None:
            pass

        def next(self) -> None:
            i = len(self.data) - 1
            if i >= n:  # the extra bar: only fills the last close
                return
            if self.trades:
                trade = self.trades[0]
                if trade.is_long:
                    leave = arrays.long_exit[i] or go_short[i]
                    reverse = go_short[i] and config.allow_short
                else:
                    leave, reverse = arrays.short_exit[i] or go_long[i], go_long[i]
                if i == n - 1:
                    leave, reverse = True, False
                if leave:
                    trade.sl = None
                    trade.tp = None
                    trade.close()
                    if reverse:
                        self.enter(-1 if trade.is_long else 1, i)
            elif i < n - 1:
                if go_long[i]:
                    self.enter(1, i)
                elif go_short[i] and config.allow_short:
                    self.enter(-1, i)

        def enter(self, side: int, i: int) -> None:
            fill = next_open[i]
            stop = fill * (1 - side * config.stop_loss) if config.stop_loss else None
            target = fill * (1 + side * config.take_profit) if config.take_profit else None
            order = self.buy if side > 0 else self.sell
            order(size=size, sl=stop, tp=target)

    backtest = FractionalBacktest(
        frame,
        Replay,
        cash=config.initial_capital,
        commission=config.fee_rate,
        spread=0.0,
        margin=1.0,
        trade_on_close=False,
        hedging=False,
        exclusive_orders=False,
        finalize_trades=False,
        fractional_unit=fractional_unit,
    )
    return backtest.run()


def _reference_frame(candles: CandleArrays) -> pd.DataFrame:
    """OHLCV with a DatetimeIndex, plus one flat bar at the last close (see above)."""
    n = len(candles)
    step = int(np.median(np.diff(candles.open_time))) if n > 1 else 300_000
    last = candles.close[-1]
    frame = pd.DataFrame(
        {
            "Open": np.r_[candles.open, last],
            "High": np.r_[candles.high, last],
            "Low": np.r_[candles.low, last],
            "Close": np.r_[candles.close, last],
            "Volume": np.r_[candles.volume, 0.0],
        },
        index=pd.to_datetime(np.r_[candles.open_time, candles.open_time[-1] + step], unit="ms"),
    )
    return frame
