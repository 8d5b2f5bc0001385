"""Demo data (what `make run` loads): BTCUSDT 5m/1h/4h for the last ~60 days, real or simulated."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .models import SIMULATED_EXCHANGE, Candle, Symbol
from .resample import resample_rows
from .services import FetchError, fetch_ohlcv, symbol_register
from .simulator import simulate_rows
from .storage import candles_upsert
from .timeframes import timeframe_ms

DEMO_TIMEFRAMES = ("5m", "1h", "4h")
DEMO_DAYS = 60


@dataclass
class DemoReport:
    source: str  # "present" (nothing done), "binance" or SIMULATED_EXCHANGE
    notes: list[str] = field(default_factory=list)  # what was done, in order
    warning: str = ""  # why the simulated market was used instead of the exchange


def demo_data_load(*, simulated: bool = False) -> DemoReport:
    """Download the demo series from Binance through ccxt; when it is unreachable (or with
    `simulated`), store a deterministic simulated market under the exchange id 'simulated'
    instead, so it is never mistaken for real data. Nothing when demo data is already stored."""
    if Candle.objects.filter(symbol__name="BTCUSDT", timeframe="5m").exists():
        return DemoReport("present", ["Demo data already present (BTCUSDT 5m); nothing to do."])
    report = DemoReport(SIMULATED_EXCHANGE)
    if not simulated:
        try:
            report.notes = _download()
            report.source = "binance"
            return report
        except FetchError as error:
            Symbol.objects.filter(exchange="binance", name="BTCUSDT", candles__isnull=True).delete()
            report.warning = (
                f"Binance is unreachable from here ({error}).\nFalling back to SIMULATED demo "
                f"data, stored under the exchange id '{SIMULATED_EXCHANGE}': it is not real "
                "market data."
            )
    report.notes = _simulate()
    return report


def _download() -> list[str]:
    since = int(time.time() * 1000) - DEMO_DAYS * 86_400_000
    symbol = symbol_register(
        name="BTCUSDT", base="BTC", quote="USDT", exchange="binance", retry_delays=[]
    )
    notes = []
    for timeframe in DEMO_TIMEFRAMES:
        fetched = fetch_ohlcv(
            symbol=symbol, timeframe=timeframe, since_ms=since, retry_delays=[1, 2]
        )
        notes.append(
            f"Downloaded BTCUSDT {timeframe} from Binance: {fetched.written.inserted} candles."
        )
    return notes


def _simulate() -> list[str]:
    symbol = symbol_register(
        name="BTCUSDT", base="BTC", quote="USDT", exchange=SIMULATED_EXCHANGE, verify_market=False
    )
    count = DEMO_DAYS * 86_400_000 // timeframe_ms("5m")
    base = simulate_rows(timeframe="5m", count=count, end_ms=int(time.time() * 1000))
    candles_upsert(symbol=symbol, timeframe="5m", rows=base)
    for timeframe in DEMO_TIMEFRAMES[1:]:
        rows, complete = resample_rows(base, source="5m", target=timeframe)
        candles_upsert(symbol=symbol, timeframe=timeframe, rows=rows[complete])
    return [
        f"Stored simulated BTCUSDT ({SIMULATED_EXCHANGE}): {count} 5m candles and their "
        "1h/4h aggregates."
    ]
