"""python manage.py import_ohlcv BTCUSDT 5m path/to/file.csv[.gz|.zip] --base BTC --quote USDT
[--exchange binance]"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.datafeeds.selectors import SymbolNotFound
from apps.datafeeds.services import FetchError, candles_import, symbol_get_or_register

from ._shared import import_summary, timeframe_argument


class Command(BaseCommand):
    help = (
        "Load candles from a CSV file (timestamp,open,high,low,close,volume, gzip allowed) or a "
        "Binance kline dump, through the same validation and upsert as a download. Works offline."
    )

    def add_arguments(self, parser):
        parser.add_argument("symbol", help="compact symbol name, e.g. BTCUSDT")
        parser.add_argument(
            "timeframe", type=timeframe_argument, help="timeframe of the file's candles"
        )
        parser.add_argument("path", help="CSV file (.csv, .csv.gz, or Binance's .zip)")
        parser.add_argument(
            "--base", help="base asset; with --quote, creates the symbol if missing"
        )
        parser.add_argument("--quote", help="quote asset")
        parser.add_argument(
            "--exchange",
            default=None,
            help=f"ccxt id of the source (default {settings.DATAFEEDS_DEFAULT_EXCHANGE})",
        )

    def handle(self, *args, **options):
        if bool(options["base"]) != bool(options["quote"]):
            raise CommandError("--base and --quote go together.")
        try:
            symbol = symbol_get_or_register(
                name=options["symbol"],
                exchange=options["exchange"],
                base=options["base"],
                quote=options["quote"],
                verify_market=False,  # a file import works offline
            )
            report = candles_import(
                symbol=symbol, timeframe=options["timeframe"], path=options["path"]
            )
        except SymbolNotFound as error:
            raise CommandError(f"{error} Pass --base and --quote to create it.") from error
        except (FetchError, LookupError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(import_summary(report))
