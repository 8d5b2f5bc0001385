"""Market-data services: register symbols and download their candles through ccxt.

`fetch_ohlcv` is the one download path: the `fetch_ohlcv` command, the multi-timeframe script and
the Celery task all call it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from apps.exchanges.exchange_client import (
    ExchangeClient,
    ExchangeError,
    TemporaryExchangeError,
    UnknownExchange,
    UnknownMarket,
    exchange_client_for,
)

from .importers import candle_file_read
from .models import SIMULATED_EXCHANGE, Candle, Symbol
from .selectors import candle_gaps, symbol_get
from .simulated_market import SimulatedMarket
from .storage import UpsertReport, candles_upsert
from .timeframes import bucket_floor, bucket_next, timeframe_ms, timeframe_validate
from .validation import Rejection, candles_validate, rows_from_ohlcv

logger = logging.getLogger(__name__)


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


def _client_for(exchange_id: str) -> ExchangeClient | SimulatedMarket:
    if exchange_id == SIMULATED_EXCHANGE:
        return SimulatedMarket(exchange_id)  # the demo's market, downloaded like any other
    try:
        return exchange_client_for(
            exchange_id=exchange_id,
            api_hosts=settings.EXCHANGE_API_HOSTS,
            timeout_ms=settings.DATAFEEDS_EXCHANGE_TIMEOUT_MS,
        )
    except UnknownExchange as error:
        raise FetchError(str(error)) from error


class _Caller:
    """Calls the exchange, retrying temporary errors with a bounded backoff; anything else (an
    unknown symbol, refused credentials, a bad request) fails at once."""

    def __init__(self, delays: Sequence[float]):
        self.delays = list(delays)
        self.retries = 0

    def __call__(self, what: str, func: Callable, *args, **kwargs):
        for attempt in range(len(self.delays) + 1):
            try:
                return func(*args, **kwargs)
            except TemporaryExchangeError as error:
                if attempt == len(self.delays):
                    raise FetchError(
                        f"{what} failed after {attempt + 1} attempts: {error.kind}: {_short(error)}"
                    ) from error
                # A Retry-After is honoured, up to the longest configured backoff.
                delay = min(max(self.delays[attempt], error.retry_after_s), max(self.delays))
                logger.warning(
                    "%s: %s (%s); retry %d in %.2fs",
                    what,
                    error.kind,
                    _short(error),
                    attempt + 1,
                    delay,
                )
                self.retries += 1
                time.sleep(delay)
            except ExchangeError as error:
                raise FetchError(f"{what} failed: {error.kind}: {_short(error)}") from error
        raise AssertionError("unreachable")


def _short(error: Exception, length: int = 300) -> str:
    text = str(error).strip().replace("\n", " ")
    return text if len(text) <= length else text[: length - 3] + "..."


def _load_market(call: _Caller, client: ExchangeClient, market_symbol: str) -> dict:
    call(f"{client.id} load_markets", client.load_markets)
    try:
        return client.market(market_symbol)
    except UnknownMarket as error:
        raise FetchError(str(error)) from error


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
    if verify_market:
        client = _client_for(exchange)
        delays = settings.DATAFEEDS_RETRY_DELAYS if retry_delays is None else retry_delays
        _load_market(_Caller(delays), client, market_symbol)
    symbol, _ = Symbol.objects.get_or_create(
        exchange=exchange,
        name=name,
        defaults={"base": base.upper(), "quote": quote.upper(), "market_symbol": market_symbol},
    )
    return symbol


def symbol_get_or_register(
    *,
    name: str,
    exchange: str | None = None,
    base: str | None = None,
    quote: str | None = None,
    verify_market: bool = True,
) -> Symbol:
    """The symbol `name` on `exchange`: registered first (see `symbol_register`) when `base` and
    `quote` are given, else looked up (SymbolNotFound / AmbiguousSymbol when it cannot be)."""
    if bool(base) != bool(quote):
        raise ValueError("base and quote go together.")
    if base and quote:
        return symbol_register(
            name=name, base=base, quote=quote, exchange=exchange, verify_market=verify_market
        )
    return symbol_get(name=name, exchange=exchange)


def symbol_track(*, symbol: Symbol, timeframe: str) -> Symbol:
    """Have celery beat keep `timeframe` of the symbol up to date (a no-op when it already does).
    The row is locked while its list is extended, so concurrent calls lose no timeframe."""
    timeframe_validate(timeframe)
    with transaction.atomic():
        locked = Symbol.objects.select_for_update().get(pk=symbol.pk)
        if timeframe not in locked.tracked_timeframes:
            locked.tracked_timeframes = [*locked.tracked_timeframes, timeframe]
            locked.save(update_fields=["tracked_timeframes"])
    symbol.tracked_timeframes = locked.tracked_timeframes
    return symbol


def _page_limit(client: ExchangeClient, market: dict, requested: int | None) -> int:
    maximum = client.ohlcv_page_limit(market)
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
    call = _Caller(settings.DATAFEEDS_RETRY_DELAYS if retry_delays is None else retry_delays)
    market = _load_market(call, client, symbol.market_symbol)
    if timeframe not in client.timeframes:
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
            since_ms=cursor,
            limit=page_limit,
            until_ms=end - 1,
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
