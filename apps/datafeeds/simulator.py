"""A deterministic market simulator for the demo data when no exchange is reachable.

Its candles are stored under the exchange id `simulated`, never mistaken for a real market.
"""

from __future__ import annotations

import numpy as np

from .timeframes import bucket_floor, timeframe_ms


def simulate_rows(
    *, timeframe: str, count: int, end_ms: int, seed: int = 7, start_price: float = 60_000.0
) -> np.ndarray:
    """`count` closed candles ending before `end_ms`: a geometric random walk with regimes.

    Slow drifts that change sign every few days give trends for strategies to find.
    """
    rng = np.random.default_rng(seed)
    step = timeframe_ms(timeframe)
    last_open = int(bucket_floor(end_ms, timeframe)) - step
    times = last_open - step * np.arange(count - 1, -1, -1, dtype=np.int64)
    per_bar_vol = 0.0012 * np.sqrt(step / 300_000)  # about 0.12% per 5 minutes, as BTC
    regime = np.repeat(rng.normal(0, per_bar_vol / 25, size=count // 500 + 1), 500)[:count]
    log_returns = regime + rng.normal(0, per_bar_vol, size=count)
    closes = start_price * np.exp(np.cumsum(log_returns))
    opens = np.r_[start_price, closes[:-1]]
    wick = np.abs(rng.normal(0, per_bar_vol / 2, size=(2, count)))
    highs = np.maximum(opens, closes) * (1 + wick[0])
    lows = np.minimum(opens, closes) * (1 - wick[1])
    volumes = rng.gamma(2.0, 50.0, size=count) * np.sqrt(step / 300_000)
    return np.column_stack([times, opens, highs, lows, closes, volumes])
