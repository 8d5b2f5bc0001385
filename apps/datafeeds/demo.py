"""Demo data (what `make run` loads): BTCUSDT 5m/1h/4h for the last ~60 days, real or simulated
(the simulated market adds 1m candles and keeps producing candles in real time)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .models import SIMULATED_EXCHANGE, Candle, Symbol
from .services import FetchError, fetch_ohlcv, symbol_register, symbol_track
from .simulated_market import simulated_rows

DEMO_TIMEFRAMES = ("5m", "1h", "4h")
DEMO_DAYS = 60
# The simulated market also serves 1m candles (a week of them), so that a demo bot on a 1m
# strategy decides within a minute; celery beat's refresh keeps every one of them up to date.
SIMULATED_DAYS = {"1m": 7, "5m": DEMO_DAYS, "1h": DEMO_DAYS, "4h": DEMO_DAYS}


@dataclass
class DemoReport:
    source: str  # "present" (nothing done), "binance" or SIMULATED_EXCHANGE
    notes: list[str] = field(default_factory=list)  # what was done, in order
    warning: str = ""  # why the simulated market was used instead of the exchange


def demo_data_load(*, simulated: bool = False) -> DemoReport:
    """Download the demo series from Binance through ccxt; when it is unreachable (or with
    `simulated`), store a deterministic simulated market under the exchange id 'simulated'
    instead, so it is never mistaken for real data. Demo data already stored is left as it is,
    except the simulated market's, which is brought up to date (it moved on meanwhile)."""
    if Candle.objects.filter(symbol__name="BTCUSDT", timeframe="5m").exists():
        simulated_symbol = Symbol.objects.filter(
            exchange=SIMULATED_EXCHANGE, name="BTCUSDT"
        ).first()
        if simulated_symbol is not None:
            return DemoReport("present", _simulated_resume(simulated_symbol))
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
    symbol = symbol_register(name="BTCUSDT", base="BTC", quote="USDT", exchange=SIMULATED_EXCHANGE)
    now = int(time.time() * 1000)
    notes = []
    for timeframe, days in SIMULATED_DAYS.items():
        fetched = fetch_ohlcv(symbol=symbol, timeframe=timeframe, since_ms=now - days * 86_400_000)
        symbol_track(symbol=symbol, timeframe=timeframe)
        notes.append(
            f"Stored simulated BTCUSDT {timeframe} ({SIMULATED_EXCHANGE}): "
            f"{fetched.written.inserted} candles."
        )
    notes.append("The simulated market keeps producing candles while the platform runs.")
    return notes


def _simulated_resume(symbol: Symbol) -> list[str]:
    """The stored simulated series brought up to the last closed candle (resume downloads).
    A series that disagrees with the market's generator (stored by an older version) is
    downloaded again over its demo span, which revises its candles in place."""
    notes = []
    now = int(time.time() * 1000)
    for timeframe, days in SIMULATED_DAYS.items():
        since = None if _matches_generator(symbol, timeframe, now) else now - days * 86_400_000
        fetched = fetch_ohlcv(symbol=symbol, timeframe=timeframe, since_ms=since)
        symbol_track(symbol=symbol, timeframe=timeframe)
        written = fetched.written
        notes.append(
            f"Simulated BTCUSDT {timeframe} brought up to date: {written.inserted} new candles"
            + (f", {written.updated} revised." if written.updated else ".")
        )
    return notes


def _matches_generator(symbol: Symbol, timeframe: str, now: int) -> bool:
    last = (
        Candle.objects.filter(symbol=symbol, timeframe=timeframe)
        .order_by("-open_time")
        .values_list("open_time", "close")
        .first()
    )
    if last is None:
        return False
    rows = simulated_rows(
        symbol.market_symbol, timeframe, since_ms=last[0], until_ms=last[0], now_ms=now
    )
    return len(rows) == 1 and abs(rows[0, 4] - float(last[1])) <= 1e-9 * float(last[1])
