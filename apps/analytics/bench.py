"""Engine timings for `make bench`, and the backtesting.py replay the cross-check test uses.

No Django. backtesting.py (0.6.6) is a test/bench dependency only, imported inside functions.
`bench_engine()` returns records shaped like bench/run.py's: {"name", "value", "unit",
"reference"?, "ratio"?}.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.importers import candle_file_read

from .engine import BacktestConfig, SignalArrays, backtest_strategy, run_backtest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
BTC_5M = DATA / "binance_BTC-USDT_5m.csv.gz"
YEAR_OF_5M_BARS = 105_120  # 365 days * 288 bars a day

# backtesting.py trades whole units. FractionalBacktest rescales prices so that one unit is
# this many BTC: sizes are then floor(equity / (price * unit * (1 + fee))) units, whose
# rounding (< 1 unit in ~1e12 or more) stays far below the 1e-9 the comparison asserts.
REFERENCE_UNIT = 1e-15


def btc_5m_candles() -> CandleArrays:
    rows, _ = candle_file_read(BTC_5M)
    return CandleArrays.from_rows(rows)


def tiled_candles(count: int) -> CandleArrays:
    """`count` 5m candles: the real BTC/USDT series repeated, timestamps shifted by its span and
    prices rescaled so that each copy opens at the previous copy's last close."""
    base, _ = candle_file_read(BTC_5M)
    span_ms = int(base[-1, 0] - base[0, 0]) + 300_000
    copies, scale, total = [], 1.0, 0
    while total < count:
        copy = base.copy()
        copy[:, 0] += len(copies) * span_ms
        copy[:, 1:5] *= scale
        copies.append(copy)
        total += len(copy)
        scale = copy[-1, 4] / base[0, 1]
    return CandleArrays.from_rows(np.concatenate(copies)[:count])


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


def _median_ms(func: Callable[[], object], repeat: int) -> float:
    func()  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _record(name: str, value: float, unit: str, reference: float | None = None) -> dict:
    entry: dict[str, Any] = {"name": name, "value": round(value, 3), "unit": unit}
    if reference is not None:
        entry["reference"] = round(reference, 3)
        entry["ratio"] = round(reference / value, 2)  # times faster than the reference
    return entry


def bench_engine(bars: int = YEAR_OF_5M_BARS, reference_repeat: int = 3) -> list[dict]:
    """hma-sma (defaults, 1h/4h aggregated from 5m) with a 1.5% stop and a 3% target over
    `bars` tiled 5m candles: ours with the indicators, ours on precomputed signals, and
    backtesting.py replaying the same precomputed signals (its run only)."""
    from apps.strategies.registry import strategy_spec

    spec = strategy_spec("hma-sma")
    candles = tiled_candles(bars)
    context = {"1h": None, "4h": None}
    config = BacktestConfig(stop_loss=0.015, take_profit=0.03)
    signals = spec.compute(candles, context, spec.defaults())

    def full() -> object:
        return backtest_strategy(spec, candles, context, None, config)

    ours_full = _median_ms(full, repeat=15)
    ours_engine = _median_ms(lambda: run_backtest(candles, signals, config=config), repeat=15)
    reference = _median_ms(
        lambda: backtesting_py_run(candles, signals, config), repeat=reference_repeat
    )
    label = f"backtest hma-sma + SL/TP, {bars:,} 5m bars"
    return [
        _record(f"{label}, indicators included", ours_full, "ms", reference),
        _record(f"{label}, engine only (signals given)", ours_engine, "ms", reference),
        _record(f"{label}, backtesting.py 0.6.6 (signals given)", reference, "ms"),
    ]


if __name__ == "__main__":
    for record in bench_engine():
        print(record)
