"""Market-data services: register symbols and download their candles through ccxt.

`fetch_ohlcv` is the one download path: the `fetch_ohlcv` command, the multi-timeframe script and
the Celery task all call it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import ccxt
from django.conf import settings

from .exchange_client import UnknownExchange, exchange_client_create
from .importers import candle_file_read
from .models import SIMULATED_EXCHANGE, Candle, Symbol
from .selectors import candle_gaps
from .storage import UpsertReport, candles_upsert
from .timeframes import bucket_floor, bucket_next, timeframe_ms, timeframe_validate
from .validation import Rejection, candles_validate, rows_from_ohlcv

logger = logging.getLogger(__name__)

DEFAULT_PAGE_LIMIT = 1000  # candles per request when the exchange does not declare its maximum
# Temporary failures, worth retrying: ccxt's RateLimitExceeded, DDoSProtection, RequestTimeout
# and ExchangeNotAvailable are all NetworkErrors. Everything else (BadSymbol, auth, bad request)
# fails at once.
TEMPORARY_ERRORS = (ccxt.NetworkError,)


class FetchError(Exception):
    """A download that cannot succeed as asked: the message says why and what to do."""


@dataclass(frozen=True)
class FetchProgress:
    pages: int
    candles: int
    elapsed_s: float
    last_open_time: int | None

    @property
    def rate(self) -> float:
        """Candles per second so far."""
        return self.candles / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass
class FetchReport:
    symbol: str
    timeframe: str
    start_ms: int
    end_ms: int
    pages: int = 0
    received: int = 0
    written: UpsertReport = field(default_factory=UpsertReport)
    rejected: list[Rejection] = field(default_factory=list)
    open_dropped: int = 0
    retries: int = 0
    gaps: list[tuple[int, int, int]] = field(default_factory=list)
    elapsed_s: float = 0.0

    def as_dict(self) -> dict:
        return {
            "symbol": self.symbol,
            "timeframe": self.timeframe,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "pages": self.pages,
            "received": self.received,
            "inserted": self.written.inserted,
            "updated": self.written.updated,
            "unchanged": self.written.unchanged,
            "rejected": [r.describe() for r in self.rejected],
            "open_dropped": self.open_dropped,
            "retries": self.retries,
            "gaps": [{"first": a, "last": b, "missing": n} for a, b, n in self.gaps],
            "elapsed_s": round(self.elapsed_s, 3),
        }


ProgressCallback = Callable[[FetchProgress], None]


def _client_for(exchange_id: str) -> ccxt.Exchange:
    if exchange_id == SIMULATED_EXCHANGE:
        raise FetchError(
            f"'{SIMULATED_EXCHANGE}' holds locally generated demo data; there is no exchange to "
            "download it from."
        )
    try:
        return exchange_client_create(
            exchange_id=exchange_id,
            api_hosts=settings.EXCHANGE_API_HOSTS,
            timeout_ms=settings.DATAFEEDS_EXCHANGE_TIMEOUT_MS,
        )
    except UnknownExchange as error:
        raise FetchError(str(error)) from error


def _retry_after_seconds(client: ccxt.Exchange) -> float:
    headers = client.last_response_headers or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return float(value) if value is not None else 0.0
    except ValueError:
        return 0.0


class _Caller:
    """Calls the exchange, retrying temporary errors with a bounded backoff."""

    def __init__(self, client: ccxt.Exchange, delays: Sequence[float]):
        self.client = client
        self.delays = list(delays)
        self.retries = 0

    def __call__(self, what: str, func: Callable, *args, **kwargs):
        for attempt in range(len(self.delays) + 1):
            try:
                return func(*args, **kwargs)
            except TEMPORARY_ERRORS as error:
                if attempt == len(self.delays):
                    raise FetchError(
                        f"{what} failed after {attempt + 1} attempts: {type(error).__name__}: "
                        f"{_short(error)}"
                    ) from error
                # A Retry-After is honoured, up to the longest configured backoff.
                delay = min(
                    max(self.delays[attempt], _retry_after_seconds(self.client)), max(self.delays)
                )
                logger.warning(
                    "%s: %s (%s); retry %d in %.2fs",
                    what,
                    type(error).__name__,
                    _short(error),
                    attempt + 1,
                    delay,
                )
                self.retries += 1
                time.sleep(delay)
            except ccxt.BaseError as error:
                raise FetchError(
                    f"{what} failed: {type(error).__name__}: {_short(error)}"
                ) from error
        raise AssertionError("unreachable")


def _short(error: Exception, length: int = 300) -> str:
    text = str(error).strip().replace("\n", " ")
    return text if len(text) <= length else text[: length - 3] + "..."


def _load_market(call: _Caller, client: ccxt.Exchange, market_symbol: str) -> dict:
    call(f"{client.id} load_markets", client.load_markets)
    try:
        return client.market(market_symbol)
    except ccxt.BadSymbol as error:
        raise FetchError(
            f"Unknown symbol '{market_symbol}' on {client.id}: the exchange does not list it."
        ) from error


def symbol_register(
    *,
    name: str,
    base: str,
    quote: str,
    exchange: str | None = None,
    verify_market: bool = True,
    retry_delays: Sequence[float] | None = None,
) -> Symbol:
    """The stored symbol, created (after checking that the exchange lists base/quote, unless
    `verify_market` is off, as for an offline file import) if it does not exist yet."""
    exchange = exchange or settings.DATAFEEDS_DEFAULT_EXCHANGE
    existing = Symbol.objects.filter(exchange=exchange, name=name).first()
    if existing is not None:
        return existing
    market_symbol = f"{base.upper()}/{quote.upper()}"
    if verify_market and exchange != SIMULATED_EXCHANGE:
        client = _client_for(exchange)
        delays = settings.DATAFEEDS_RETRY_DELAYS if retry_delays is None else retry_delays
        _load_market(_Caller(client, delays), client, market_symbol)
    symbol, _ = Symbol.objects.get_or_create(
        exchange=exchange,
        name=name,
        defaults={"base": base.upper(), "quote": quote.upper(), "market_symbol": market_symbol},
    )
    return symbol


def _page_limit(client: ccxt.Exchange, market: dict, requested: int | None) -> int:
    features = (client.features or {}).get(market.get("type", "spot")) or {}
    maximum = ((features.get("fetchOHLCV") or {}).get("limit")) or DEFAULT_PAGE_LIMIT
    if requested is None:
        return maximum
    if requested < 1:
        raise FetchError(f"limit must be a positive number of candles, got {requested}.")
    return min(requested, maximum)


def _start_ms(symbol: Symbol, timeframe: str, since_ms: int | None, page: int, now: int) -> int:
    if since_ms is not None:
        return int(bucket_floor(since_ms, timeframe))
    last = (
        Candle.objects.filter(symbol=symbol, timeframe=timeframe)
        .order_by("-open_time")
        .values_list("open_time", flat=True)
        .first()
    )
    if last is not None:
        return last  # resume: the last stored candle is fetched again in case it was revised
    return int(bucket_floor(now, timeframe)) - page * timeframe_ms(timeframe)  # the latest page


def fetch_ohlcv(
    *,
    symbol: Symbol,
    timeframe: str,
    since_ms: int | None = None,
    until_ms: int | None = None,
    limit: int | None = None,
    progress: ProgressCallback | None = None,
    retry_delays: Sequence[float] | None = None,
    clock_offset_ms: int = 0,
) -> FetchReport:
    """Download closed candles in [since, until) page by page, validate them and upsert them.

    Without `since_ms` it resumes from the last stored candle, or with nothing stored takes the
    latest `limit` candles. `limit` is the page size, capped at the exchange's maximum.
    `clock_offset_ms` (exchange minus local clock) makes "closed" the exchange's judgement.
    """
    try:
        timeframe_validate(timeframe)
    except ValueError as error:
        raise FetchError(str(error)) from error
    client = _client_for(symbol.exchange)
    call = _Caller(
        client, settings.DATAFEEDS_RETRY_DELAYS if retry_delays is None else retry_delays
    )
    market = _load_market(call, client, symbol.market_symbol)
    if timeframe not in (client.timeframes or {}):
        raise FetchError(f"{client.id} has no '{timeframe}' candles.")
    page_limit = _page_limit(client, market, limit)

    now = client.milliseconds() + clock_offset_ms
    end = min(until_ms, now) if until_ms is not None else now
    start = _start_ms(symbol, timeframe, since_ms, page_limit, now)
    report = FetchReport(symbol.name, timeframe, start, end)
    started = time.monotonic()
    cursor = start
    while cursor < end:
        ohlcv = call(
            f"{client.id} fetch_ohlcv {symbol.market_symbol} {timeframe}",
            client.fetch_ohlcv,
            symbol.market_symbol,
            timeframe,
            since=cursor,
            limit=page_limit,
            params={"until": end - 1},
        )
        if not ohlcv:
            break
        rows = rows_from_ohlcv(ohlcv)
        in_window = (rows[:, 0] >= cursor) & (rows[:, 0] < end)  # some exchanges overshoot
        validated = candles_validate(rows[in_window], timeframe=timeframe, now_ms=now)
        report.pages += 1
        report.received += int(in_window.sum())
        report.rejected += validated.rejected
        report.open_dropped += validated.open_dropped
        report.written = report.written + candles_upsert(
            symbol=symbol, timeframe=timeframe, rows=validated.rows
        )
        last_seen = int(rows[:, 0][in_window].max()) if in_window.any() else cursor
        next_cursor = int(bucket_next(last_seen, timeframe))
        if next_cursor <= cursor:
            break
        cursor = next_cursor
        if progress is not None:
            progress(
                FetchProgress(report.pages, report.received, time.monotonic() - started, last_seen)
            )

    for rejection in report.rejected:
        logger.warning("Rejected %s %s candle %s", symbol, timeframe, rejection.describe())
    report.retries = call.retries
    report.gaps = candle_gaps(symbol=symbol, timeframe=timeframe, start_ms=start, end_ms=end)
    report.elapsed_s = time.monotonic() - started
    return report


@dataclass
class ImportReport:
    symbol: str
    timeframe: str
    path: str
    file_format: str
    rows: int
    written: UpsertReport
    rejected: list[Rejection]
    open_dropped: int
    gaps: list[tuple[int, int, int]]

    def as_dict(self) -> dict:
        return {
            "symbol": self.symbol,
            "timeframe": self.timeframe,
            "path": self.path,
            "format": self.file_format,
            "rows": self.rows,
            "inserted": self.written.inserted,
            "updated": self.written.updated,
            "unchanged": self.written.unchanged,
            "rejected": [r.describe() for r in self.rejected],
            "open_dropped": self.open_dropped,
            "gaps": [{"first": a, "last": b, "missing": n} for a, b, n in self.gaps],
        }


def candles_import(*, symbol: Symbol, timeframe: str, path: str) -> ImportReport:
    """Load a candle file through the same validation and upsert as a download."""
    try:
        timeframe_validate(timeframe)
        rows, file_format = candle_file_read(path)
    except ValueError as error:
        raise FetchError(str(error)) from error
    validated = candles_validate(rows, timeframe=timeframe, now_ms=int(time.time() * 1000))
    written = candles_upsert(symbol=symbol, timeframe=timeframe, rows=validated.rows)
    return ImportReport(
        symbol=symbol.name,
        timeframe=timeframe,
        path=str(path),
        file_format=file_format,
        rows=len(rows),
        written=written,
        rejected=validated.rejected,
        open_dropped=validated.open_dropped,
        gaps=candle_gaps(symbol=symbol, timeframe=timeframe),
    )
