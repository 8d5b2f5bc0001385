"""python manage.py candle_gaps BTCUSDT 5m [--exchange binance] [--since ...] [--until ...]"""

from django.core.management.base import BaseCommand, CommandError

from apps.datafeeds.selectors import candle_gaps, candle_open_times, symbol_get
from apps.datafeeds.times import format_ms

from ._shared import time_argument, timeframe_argument


class Command(BaseCommand):
    help = "List the missing candles (gaps) of a stored series."

    def add_arguments(self, parser):
        parser.add_argument("symbol")
        parser.add_argument("timeframe", type=timeframe_argument)
        parser.add_argument("--exchange", default=None)
        parser.add_argument("--since", type=time_argument, help="only look from this time")
        parser.add_argument("--until", type=time_argument, help="only look before this time")

    def handle(self, *args, **options):
        try:
            symbol = symbol_get(name=options["symbol"], exchange=options["exchange"])
        except LookupError as error:
            raise CommandError(str(error)) from error
        window = {"start_ms": options["since"], "end_ms": options["until"]}
        tf = options["timeframe"]
        times = candle_open_times(symbol=symbol, timeframe=tf, **window)
        if times.size == 0:
            raise CommandError(f"No {tf} candles stored for {symbol}.")
        gaps = candle_gaps(symbol=symbol, timeframe=tf, **window)
        missing = sum(n for _, _, n in gaps)
        self.stdout.write(
            f"{symbol} {tf}: {times.size} candles from {format_ms(times[0])} to "
            f"{format_ms(times[-1])}, {len(gaps)} gaps, {missing} candles missing"
        )
        for first, last, count in gaps:
            self.stdout.write(f"{format_ms(first)} .. {format_ms(last)}  ({count} missing)")
