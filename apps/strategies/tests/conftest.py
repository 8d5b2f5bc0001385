from __future__ import annotations

import pytest

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.importers import candle_file_read


@pytest.fixture(scope="session")
def btc_5m_candles(shared_data) -> CandleArrays:
    """Real Binance BTC/USDT 5m, 2024-01-01 .. 2024-09-06 (71,769 bars, no gap)."""
    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_5m.csv.gz")
    return CandleArrays.from_rows(rows)


@pytest.fixture(scope="session")
def btc_4h_candles(shared_data) -> CandleArrays:
    """The exchange's own 4h candles for the same period (not derived from the 5m file)."""
    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_4h.csv.gz")
    return CandleArrays.from_rows(rows)
