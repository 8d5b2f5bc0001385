"""Candles the benchmarks run on: the real BTC/USDT 5m series of ../shared/data, tiled."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.importers import candle_file_read

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BTC_5M = DATA / "binance_BTC-USDT_5m.csv.gz"
YEAR_OF_5M_BARS = 105_120  # 365 days * 288 bars a day


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
