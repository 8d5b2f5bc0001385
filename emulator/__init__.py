"""Local exchange emulator: Binance's public spot REST API over local candles, for ccxt tests.

Stdlib and numpy only (no Django), so it also runs standalone: `python -m emulator`.
"""

from .candles import generate_candles, load_candles_csv
from .server import ExchangeEmulator

__all__ = ["ExchangeEmulator", "generate_candles", "load_candles_csv"]
