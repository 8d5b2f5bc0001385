from __future__ import annotations

import json

import numpy as np
import pytest

from apps.datafeeds.importers import candle_file_read


@pytest.fixture(scope="session")
def btc_5m(shared_data) -> np.ndarray:
    """Binance BTC/USDT 5m, 2024-01-01 .. 2024-09-06: 71,769 real candles without gaps."""
    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_5m.csv.gz")
    return rows


@pytest.fixture
def emulator(module_emulator):
    """The Binance emulator serving the real BTC/USDT 5m candles (and their aggregates), fresh."""
    module_emulator.reset()
    yield module_emulator
    module_emulator.reset()


@pytest.fixture
def emulated_binance(emulator, settings):
    """ccxt's binance client pointed at the emulator for this test."""
    settings.EXCHANGE_API_HOSTS = {"binance": emulator.url}
    return emulator


@pytest.fixture
def emulator_env(subprocess_env, emulator):
    return {**subprocess_env, "EXCHANGE_API_HOSTS": json.dumps({"binance": emulator.url})}
