"""python manage.py load_demo_data: BTCUSDT 5m/1h/4h for the last ~60 days, real or simulated."""

import time

from django.core.management.base import BaseCommand

from apps.datafeeds.models import SIMULATED_EXCHANGE, Candle, Symbol
from apps.datafeeds.resample import resample_rows
from apps.datafeeds.services import FetchError, fetch_ohlcv, symbol_register
from apps.datafeeds.simulator import simulate_rows
from apps.datafeeds.storage import candles_upsert
from apps.datafeeds.timeframes import timeframe_ms

DEMO_TIMEFRAMES = ("5m", "1h", "4h")
DEMO_DAYS = 60


class Command(BaseCommand):
    help = (
        "Demo data: download BTCUSDT 5m/1h/4h (last 60 days) from Binance through ccxt; when the "
        "network is unreachable, generate a deterministic simulated market under the exchange "
        "id 'simulated' instead. Does nothing when demo data is already stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--simulated", action="store_true", help="skip the download attempt")

    def handle(self, *args, **options):
        if Candle.objects.filter(symbol__name="BTCUSDT", timeframe="5m").exists():
            self.stdout.write("Demo data already present (BTCUSDT 5m); nothing to do.")
            return
        if not options["simulated"] and self._download():
            return
        self._simulate()

    def _download(self) -> bool:
        since = int(time.time() * 1000) - DEMO_DAYS * 86_400_000
        try:
            symbol = symbol_register(
                name="BTCUSDT", base="BTC", quote="USDT", exchange="binance", retry_delays=[]
            )
            for timeframe in DEMO_TIMEFRAMES:
                report = fetch_ohlcv(
                    symbol=symbol, timeframe=timeframe, since_ms=since, retry_delays=[1, 2]
                )
                self.stdout.write(
                    f"Downloaded BTCUSDT {timeframe} from Binance: "
                    f"{report.written.inserted} candles."
                )
        except FetchError as error:
            Symbol.objects.filter(exchange="binance", name="BTCUSDT", candles__isnull=True).delete()
            self.stdout.write(
                self.style.WARNING(
                    f"Binance is unreachable from here ({error}).\nFalling back to SIMULATED demo "
                    f"data, stored under the exchange id '{SIMULATED_EXCHANGE}': it is not real "
                    "market data."
                )
            )
            return False
        return True

    def _simulate(self) -> None:
        symbol = symbol_register(
            name="BTCUSDT",
            base="BTC",
            quote="USDT",
            exchange=SIMULATED_EXCHANGE,
            verify_market=False,
        )
        count = DEMO_DAYS * 86_400_000 // timeframe_ms("5m")
        base = simulate_rows(timeframe="5m", count=count, end_ms=int(time.time() * 1000))
        candles_upsert(symbol=symbol, timeframe="5m", rows=base)
        for timeframe in DEMO_TIMEFRAMES[1:]:
            rows, complete = resample_rows(base, source="5m", target=timeframe)
            candles_upsert(symbol=symbol, timeframe=timeframe, rows=rows[complete])
        self.stdout.write(
            f"Stored simulated BTCUSDT ({SIMULATED_EXCHANGE}): {count} 5m candles and their "
            "1h/4h aggregates."
        )
