"""python manage.py fetch_ohlcv BTCUSDT 1h --limit 1000 --base BTC --quote USDT [--exchange binance]
[--since 2025-01-01] [--until 2025-02-01] [--track]"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.datafeeds.selectors import SymbolNotFound
from apps.datafeeds.services import (
    FetchError,
    fetch_ohlcv,
    symbol_get_or_register,
    symbol_track,
)

from ._shared import ProgressPrinter, fetch_summary, positive_int, time_argument, timeframe_argument


class Command(BaseCommand):
    help = (
        "Download closed OHLCV candles through ccxt into the database. Without --since it resumes "
        "after the last stored candle (or takes the latest --limit candles when none is stored)."
    )

    def add_arguments(self, parser):
        parser.add_argument("symbol", help="compact symbol name, e.g. BTCUSDT")
        parser.add_argument(
            "timeframe", type=timeframe_argument, help="1m 5m 15m 30m 1h 4h 1d 1w 1M"
        )
        parser.add_argument(
            "--limit",
            type=positive_int,
            help="candles per request (capped at the exchange's maximum)",
        )
        parser.add_argument(
            "--base", help="base asset; with --quote, creates the symbol if missing"
        )
        parser.add_argument("--quote", help="quote asset")
        parser.add_argument(
            "--exchange",
            default=None,
            help=f"ccxt exchange id (default {settings.DATAFEEDS_DEFAULT_EXCHANGE})",
        )
        parser.add_argument(
            "--since", type=time_argument, help="start: YYYY-MM-DD, ISO datetime or epoch"
        )
        parser.add_argument("--until", type=time_argument, help="end (exclusive); default now")
        parser.add_argument(
            "--track",
            action="store_true",
            help="also keep this timeframe up to date with celery beat",
        )

    def handle(self, *args, **options):
        if bool(options["base"]) != bool(options["quote"]):
            raise CommandError("--base and --quote go together.")
        if options["since"] and options["until"] and options["since"] >= options["until"]:
            raise CommandError("--since must be before --until.")
        try:
            symbol = symbol_get_or_register(
                name=options["symbol"],
                exchange=options["exchange"],
                base=options["base"],
                quote=options["quote"],
            )
            report = fetch_ohlcv(
                symbol=symbol,
                timeframe=options["timeframe"],
                since_ms=options["since"],
                until_ms=options["until"],
                limit=options["limit"],
                progress=ProgressPrinter(f"{symbol} {options['timeframe']}"),
            )
        except SymbolNotFound as error:
            raise CommandError(f"{error} Pass --base and --quote to create it.") from error
        except (FetchError, LookupError) as error:
            raise CommandError(str(error)) from error
        if options["track"]:
            symbol_track(symbol=symbol, timeframe=options["timeframe"])
        self.stdout.write(fetch_summary(report))
