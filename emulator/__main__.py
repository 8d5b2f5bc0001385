"""Exchange emulator: Binance's spot REST API on a local port, over CSV or generated candles.

usage: python -m emulator [--host HOST] [--port PORT]
           [--csv SYMBOL:TIMEFRAME:PATH]... [--generate SYMBOL:TIMEFRAME:COUNT[:START_ISO]]...
           [--fault KIND[:COUNT[:KEY=VALUE,...]]]... [--unclosed-last]
           [--account KEY:SECRET[:ASSET=AMOUNT,...]]... [--clock START_ISO]
           [--weight-limit WEIGHT[/SECONDS]]

examples:
  python -m emulator --port 9100 \\
      --csv BTC/USDT:5m:../shared/data/binance_BTC-USDT_5m.csv.gz
  python -m emulator --generate ETH/USDT:1h:5000:2024-01-01 --fault rate_limit:3
  python -m emulator --fault slow:2:seconds=1.5,endpoint=any

--csv        a `timestamp,open,high,low,close,volume` file (.gz allowed) served as SYMBOL TIMEFRAME.
--generate   COUNT random-walk candles from START_ISO (UTC), or ending with the last closed
             candle before now. Coarser timeframes are aggregated from the finest one on request.
--fault      queued for the next COUNT klines requests: rate_limit (opts retry_after),
             server_error (status), slow (seconds), malformed_row (mode, index); all take
             endpoint=klines|exchangeInfo|order|getOrder|cancelOrder|orderList|getOrderList|
             cancelOrderList|account|...|any.
             For new orders (endpoint order, or orderList: an OCO): no_answer (seconds), reject
             (msg), lookup_lag (seconds), partial_fill (fraction), server_error with accepted=1
             (a 5xx after acceptance).
--unclosed-last  klines also carry the currently forming candle.
--account    an API key for the private (signed) API with its secret and free balances,
             e.g. demo-key-123:demo-secret-123:USDT=10000,BTC=0.5
--clock      start the market clock at START_ISO (UTC): later candles are not served yet;
             POST /__emulator__/clock {"advance": N} moves it N bars.
--weight-limit  request weight allowed per window (default 6000 per 60 s); past it: 429.
Without --csv or --generate it serves a generated BTC/USDT 1m series of the last 7 days.

Point ccxt at the printed URL: exchange_client_create(exchange_id="binance",
api_hosts={"binance": URL}), or EXCHANGE_API_HOSTS. Control it over HTTP:
POST/GET/DELETE /__emulator__/faults, GET/DELETE /__emulator__/requests, GET /__emulator__/markets,
POST/GET /__emulator__/accounts, GET/DELETE /__emulator__/orders, POST/GET/DELETE
/__emulator__/clock, POST/GET /__emulator__/settings.
Runs until SIGINT or SIGTERM, then exits with status 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import zlib
from datetime import UTC, datetime
from typing import Any

from .candles import bucket_floor, bucket_next, generate_candles, interval_validate
from .faults import Fault, fault_create
from .server import ExchangeEmulator, now_ms, split_symbol

DEFAULT_GENERATED = ("BTC/USDT", "1m", 7 * 1440, None)
BANNER = "Exchange emulator (Binance spot API) listening on {url}"


def _symbol_timeframe(symbol: str, timeframe: str) -> tuple[str, str]:
    try:
        split_symbol(symbol)
        interval_validate(timeframe)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return symbol, timeframe


def _csv_spec(text: str) -> tuple[str, str, str]:
    """SYMBOL:TIMEFRAME:PATH (the path may itself contain ':')."""
    parts = text.split(":", 2)
    if len(parts) != 3 or not parts[2]:
        raise argparse.ArgumentTypeError(f"expected SYMBOL:TIMEFRAME:PATH, got '{text}'")
    return (*_symbol_timeframe(parts[0], parts[1]), parts[2])


def _generate_spec(text: str) -> tuple[str, str, int, int | None]:
    """SYMBOL:TIMEFRAME:COUNT[:START_ISO] (the ISO time may contain ':')."""
    parts = text.split(":", 3)
    if len(parts) < 3 or not parts[2].isdigit() or int(parts[2]) < 1:
        raise argparse.ArgumentTypeError(
            f"expected SYMBOL:TIMEFRAME:COUNT[:START_ISO], got '{text}'"
        )
    symbol, timeframe = _symbol_timeframe(parts[0], parts[1])
    start = None
    if len(parts) == 4:
        try:
            moment = datetime.fromisoformat(parts[3])
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid START_ISO '{parts[3]}'") from None
        start = int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() * 1000)
    return symbol, timeframe, int(parts[2]), start


def _option_value(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _fault_spec(text: str) -> Fault:
    """KIND[:COUNT[:KEY=VALUE,...]], e.g. rate_limit:3 or slow:1:seconds=0.5."""
    kind, _, rest = text.partition(":")
    count_text, _, options_text = rest.partition(":")
    try:
        opts = dict(item.split("=", 1) for item in options_text.split(",") if item)
        count = int(count_text) if count_text else 1
        return fault_create(kind, count, **{k: _option_value(v) for k, v in opts.items()})
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"invalid fault '{text}': {error}") from None


def _account_spec(text: str) -> tuple[str, str, dict[str, str]]:
    """KEY:SECRET[:ASSET=AMOUNT,...]."""
    key, _, rest = text.partition(":")
    secret, _, balances_text = rest.partition(":")
    if not key or not secret:
        raise argparse.ArgumentTypeError(f"expected KEY:SECRET[:ASSET=AMOUNT,...], got '{text}'")
    try:
        balances = dict(item.split("=", 1) for item in balances_text.split(",") if item)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid balances in '{text}'") from None
    return key, secret, balances


def _moment_ms(text: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid ISO time '{text}'") from None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() * 1000)


def _weight_spec(text: str) -> tuple[int, float]:
    weight, _, seconds = text.partition("/")
    try:
        limit, interval = int(weight), float(seconds or 60)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WEIGHT[/SECONDS], got '{text}'") from None
    if limit < 1 or interval <= 0:
        raise argparse.ArgumentTypeError(f"expected positive WEIGHT[/SECONDS], got '{text}'")
    return limit, interval


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description=__doc__,
        usage=argparse.SUPPRESS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="0 picks a free port")
    parser.add_argument("--csv", type=_csv_spec, action="append", default=[])
    parser.add_argument("--generate", type=_generate_spec, action="append", default=[])
    parser.add_argument("--fault", type=_fault_spec, action="append", default=[])
    parser.add_argument("--unclosed-last", action="store_true")
    parser.add_argument("--account", type=_account_spec, action="append", default=[])
    parser.add_argument("--clock", type=_moment_ms)
    parser.add_argument("--weight-limit", type=_weight_spec)
    return parser


def _add_generated(
    emulator: ExchangeEmulator, symbol: str, timeframe: str, count: int, start: int | None
) -> None:
    if start is None:  # the last `count` closed candles before now
        start = int(bucket_next(bucket_floor(now_ms(), timeframe), timeframe, -count))
    seed = zlib.crc32(symbol.encode())  # stable per symbol, unlike hash()
    price = 60_000.0 if symbol.startswith("BTC/") else 100.0
    candles = generate_candles(
        timeframe=timeframe, count=count, start_ms=start, seed=seed, start_price=price
    )
    emulator.add_market(symbol, timeframe, candles)


def _build(args: argparse.Namespace, parser: argparse.ArgumentParser) -> ExchangeEmulator:
    emulator = ExchangeEmulator(args.host, args.port)
    for symbol, timeframe, path in args.csv:
        try:
            emulator.load_csv(symbol, timeframe, path)
        except (OSError, ValueError) as error:
            parser.error(f"argument --csv: cannot load '{path}': {error}")
    for spec in args.generate or ([] if args.csv else [DEFAULT_GENERATED]):
        _add_generated(emulator, *spec)
    for fault in args.fault:
        emulator.inject(fault.kind, fault.remaining, **fault.opts)
    emulator.unclosed_last = emulator.unclosed_last or args.unclosed_last
    for key, secret, balances in args.account:
        try:
            emulator.account_create(key, secret, balances)
        except ValueError as error:
            parser.error(f"argument --account: {error}")
    if args.clock is not None:
        emulator.clock_set(args.clock)
    if args.weight_limit:
        emulator.budget.configure(*args.weight_limit)
    return emulator


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    emulator = _build(args, parser)
    try:
        emulator.start()
    except OSError as error:
        parser.error(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(BANNER.format(url=emulator.url), flush=True)
    while not stop.wait(0.5):  # a timeout keeps the main thread responsive to signals
        pass
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
