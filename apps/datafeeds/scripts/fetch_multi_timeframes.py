"""Download several timeframes of one symbol in a row.

python apps/datafeeds/scripts/fetch_multi_timeframes.py BTCUSDT --base BTC --quote USDT \
    --timeframes 5m 1h 4h --start 2025-01-01 --end 2025-12-01 --limit 1000 --exchange binance
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _setup_django() -> None:
    # Run as a plain script: make the project importable and configure Django like manage.py.
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    _setup_django()
    from apps.datafeeds.management.commands._shared import (
        ProgressPrinter,
        fetch_summary,
        positive_int,
        time_argument,
        timeframe_argument,
    )
    from apps.datafeeds.selectors import SymbolNotFound
    from apps.datafeeds.services import FetchError, fetch_ohlcv, symbol_get_or_register

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("symbol")
    parser.add_argument("--base")
    parser.add_argument("--quote")
    parser.add_argument(
        "--timeframes", nargs="+", type=timeframe_argument, default=["5m", "1h", "4h"]
    )
    parser.add_argument(
        "--start", type=time_argument, help="default: resume after the last stored candle"
    )
    parser.add_argument("--end", type=time_argument, help="default: now")
    parser.add_argument("--limit", type=positive_int, help="candles per request")
    parser.add_argument("--exchange", default=None)
    args = parser.parse_args(argv)
    if bool(args.base) != bool(args.quote):
        parser.error("--base and --quote go together")
    if args.start and args.end and args.start >= args.end:
        parser.error("--start must be before --end")

    try:
        symbol = symbol_get_or_register(
            name=args.symbol, exchange=args.exchange, base=args.base, quote=args.quote
        )
    except SymbolNotFound as error:
        print(f"error: {error} Pass --base and --quote to create it.", file=sys.stderr)
        return 1
    except (FetchError, LookupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    failed = 0
    for timeframe in args.timeframes:
        try:
            report = fetch_ohlcv(
                symbol=symbol,
                timeframe=timeframe,
                since_ms=args.start,
                until_ms=args.end,
                limit=args.limit,
                progress=ProgressPrinter(f"{symbol} {timeframe}"),
            )
        except FetchError as error:
            print(f"error: {symbol} {timeframe}: {error}", file=sys.stderr)
            failed += 1
            continue
        print(fetch_summary(report), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
