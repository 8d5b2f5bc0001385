"""A local HTTP server speaking enough of Binance's spot REST API for ccxt's `binance`.

Public: /api/v3/ping, /time, /exchangeInfo and /klines from candle arrays you add, plus empty
futures exchangeInfo (/fapi/v1, /dapi/v1) because ccxt's load_markets asks for them by default.
Private (signed, see private.py): orders, open orders, account, own trades. Every request is
recorded and weighed against the request-weight budget, faults can be queued, and
/__emulator__/... controls it over HTTP.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np

from . import binance
from .binance import ApiError, Corruption
from .candles import (
    INTERVALS,
    MAX_PRICE_DECIMALS,
    aggregate_candles,
    aggregation_source,
    bucket_floor,
    bucket_next,
    candles_validate,
    exact_decimals,
    interval_validate,
    load_candles_csv,
)
from .faults import ERROR_KINDS, ORDER_ENDPOINTS, UNKNOWN_STATUS_MESSAGES, FaultQueue, fault_create
from .private import PrivateApi, close_times
from .signing import request_weight, signed_account

CONTROL_PREFIX = "/__emulator__/"
JSON_TYPE = "application/json;charset=UTF-8"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class _Series:
    candles: np.ndarray  # (N, 6) float64
    times: np.ndarray  # int64 open times, kept for searchsorted


@dataclass
class _Market:
    symbol: str
    market_id: str
    base: str
    quote: str
    series: dict[str, _Series] = field(default_factory=dict)
    aggregated: dict[str, _Series | None] = field(default_factory=dict)  # cache, None = cannot
    price_decimals: int = 2
    qty_decimals: int = 5


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (the "slow" fault)
    drop: bool = False  # close the connection without answering (the "no_answer" fault)
    reset: bool = False  # reset the connection (TCP RST) without answering (the "reset" fault)


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    params: dict[str, str]  # query and form body together
    body: bytes
    raw_query: str = ""
    api_key: str | None = None
    client_ip: str = "127.0.0.1"


def _json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> _Response:
    return _Response(status, binance.dumps(payload), headers or {})


def split_symbol(symbol: str) -> tuple[str, str]:
    base, sep, quote = symbol.partition("/")
    if not (sep and base.isalnum() and quote.isalnum()):
        raise ValueError(f"Symbol must look like 'BTC/USDT' (spot only), got '{symbol}'.")
    return base.upper(), quote.upper()


def _decimals(values: np.ndarray) -> int:
    exact = exact_decimals(values)
    return MAX_PRICE_DECIMALS if exact is None else exact


def _series(candles: np.ndarray) -> _Series:
    return _Series(candles, candles[:, 0].astype(np.int64))


class ExchangeEmulator(PrivateApi):
    """Binance spot REST API over candle arrays, on a local port (0 = any free port).

    >>> with ExchangeEmulator() as emu:
    ...     emu.add_market("BTC/USDT", "5m", candles)
    ...     client = exchange_client_create(exchange_id="binance", api_hosts={"binance": emu.url})
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        # When on, klines also carry the currently forming candle (open time = now's bucket).
        self.unclosed_last = False
        self._markets: dict[str, _Market] = {}
        self._faults = FaultQueue()
        self._requests: list[dict[str, Any]] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._route_table = self._routes()
        self._private_init()
        self._private_table = self._private_routes()

    def reset(self) -> None:
        """A fresh start (between tests): no fault, request log, order or trade; the wall
        clock; the default request budget (6000 weight a minute), no lookup lag or clock skew;
        no still-open candle. Markets and accounts stay."""
        self.clear_faults()
        self.reset_requests()
        self.book.reset()
        self.clock_ms = None
        self.unclosed_last = False
        self.settings_update(
            weight_limit=6000,
            weight_interval_seconds=60,
            server_time_offset_ms=0,
            lookup_lag_seconds=0,
        )

    def account_create(
        self,
        api_key: str,
        secret: str,
        balances: dict[str, Any] | None = None,
        ip_whitelist: tuple[str, ...] = (),
    ) -> ExchangeEmulator:
        """An API key with its secret and free balances, e.g. {"USDT": "10000"}."""
        self.book.account_create(
            api_key=api_key, secret=secret, balances=balances, ip_whitelist=ip_whitelist
        )
        return self

    # -- data ----------------------------------------------------------------------------------

    def add_market(
        self, symbol: str = "BTC/USDT", timeframe: str = "5m", candles: np.ndarray | None = None
    ) -> ExchangeEmulator:
        """List `symbol` and serve `candles` (float64 (N, 6), ascending) as its `timeframe`."""
        base, quote = split_symbol(symbol)
        interval_validate(timeframe)
        array = candles_validate(np.empty((0, 6)) if candles is None else candles, timeframe)
        with self._lock:
            market = self._markets.setdefault(
                base + quote, _Market(f"{base}/{quote}", base + quote, base, quote)
            )
            market.series[timeframe] = _series(array)
            market.aggregated.clear()  # a new series can change what is aggregated from what
            filled = [s.candles for s in market.series.values() if len(s.candles)]
            if filled:  # tick and lot steps: the finest that write every price and volume exactly
                market.price_decimals = max(_decimals(c[:, 1:5]) for c in filled)
                market.qty_decimals = max(_decimals(c[:, 5]) for c in filled)
        return self

    def load_csv(self, symbol: str, timeframe: str, path: str | Path) -> ExchangeEmulator:
        return self.add_market(symbol, timeframe, load_candles_csv(path))

    def markets(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"symbol": m.symbol, "id": m.market_id, "timeframes": list(m.series)}
                for m in self._markets.values()
            ]

    # -- requests and faults -------------------------------------------------------------------

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every API request so far: {method, path, params, status} (control calls excluded)."""
        with self._lock:
            return [dict(entry, params=dict(entry["params"])) for entry in self._requests]

    def klines_requests(self) -> list[dict[str, Any]]:
        return [entry for entry in self.requests if entry["path"].endswith("/klines")]

    def reset_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def inject(self, kind: str, count: int = 1, **opts: Any) -> None:
        """Queue a fault for the next `count` matching requests (see faults.KINDS).

        `unclosed_last` is not queued: it sets the persistent flag (opts enabled=False unsets it).
        """
        fault = fault_create(kind, count, **opts)
        if kind == "unclosed_last":
            self.unclosed_last = bool(opts.get("enabled", True))
        else:
            self._faults.push(fault)

    def clear_faults(self) -> None:
        self._faults.clear()

    @property
    def faults(self) -> list[dict[str, Any]]:
        """Faults still queued, with their remaining counts."""
        return self._faults.pending()

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("The emulator is not started.")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ExchangeEmulator:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self.port), _Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},  # stop() returns quickly
            name="exchange-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wakes requests sleeping in a "slow" fault
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ExchangeEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- request handling (called from server threads) -----------------------------------------

    def _handle(self, request: _Request) -> _Response:
        if request.path.startswith(CONTROL_PREFIX):
            action = request.path[len(CONTROL_PREFIX) :]
            return self._control(request.method, action, request.body, request.params)
        response = self._api(request)
        with self._lock:
            self._requests.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "params": request.params,
                    "status": response.status,
                }
            )
        return response

    def _api(self, request: _Request) -> _Response:
        method, path, params = request.method, request.path, request.params
        private = self._private_table.get((method, path))
        route = private or self._route_table.get(path)
        if route is None:
            if any(p == path for _, p in self._private_table):
                return _json_response(405, {"code": -1, "msg": f"Method {method} not allowed."})
            return _json_response(404, {"code": -1, "msg": f"Emulator has no endpoint {path}."})
        endpoint, handler = route
        if private is None and method != "GET":
            return _json_response(405, {"code": -1, "msg": f"Method {method} not allowed."})
        budget = self.budget.take(request.client_ip, request_weight(method, path, params))
        weight = {"X-MBX-USED-WEIGHT-1M": str(budget.used)}
        if not budget.allowed:
            body = {"code": -1003, "msg": binance.RATE_LIMIT_MSG}
            return _json_response(429, body, {**weight, "Retry-After": str(budget.retry_after_s)})
        creates = endpoint in ORDER_ENDPOINTS
        kinds = (*ERROR_KINDS, "no_answer", "reject") if creates else ERROR_KINDS
        fault = self._faults.take(kinds, endpoint)
        kind, opts = (fault.kind, fault.opts) if fault else (None, {})
        accepted_first = bool(opts.get("accepted"))
        if kind == "rate_limit":
            retry_after = str(opts.get("retry_after", 1))
            body = {"code": -1003, "msg": binance.RATE_LIMIT_MSG}
            return _json_response(429, body, {**weight, "Retry-After": retry_after})
        if kind in ("server_error", "reset", "reject") and not accepted_first:
            return self._failure(kind, opts, weight)
        try:
            if private is None:
                payload = handler(params)
            else:
                account = signed_account(
                    lookup=self.book.account,
                    api_key=request.api_key,
                    raw_query=request.raw_query,
                    raw_body=request.body.decode("utf-8", "replace"),
                    client_ip=request.client_ip,
                    server_now_ms=self.server_now(),
                )
                payload = handler(params, account)
            response = _json_response(200, payload, weight)
        except ApiError as error:
            return _json_response(error.status, error.body(), weight)
        if kind in ("server_error", "reset", "reject"):  # after the work was done (accepted)
            return self._failure(kind, opts, weight)
        if kind == "no_answer":
            seconds = float(opts.get("seconds", 0))
            return _Response(500, b"", {}, seconds, drop=True)
        if kind == "slow":  # the right answer, late
            seconds = opts.get("seconds", 2.0)
            return _Response(response.status, response.body, response.headers, seconds)
        return response

    @staticmethod
    def _failure(kind: str, opts: dict[str, Any], weight: dict[str, str]) -> _Response:
        """The answer of a server_error, reset or reject fault (see faults.py)."""
        if kind == "reset":
            return _Response(0, b"", reset=True)
        if kind == "reject":
            msg = str(opts.get("msg", "Order rejected by the exchange."))
            return _json_response(400, {"code": -2010, "msg": msg}, weight)
        status = int(opts.get("status", 503))
        body = opts.get("body", "text")
        if body == "json":
            code = int(opts.get("code", -1007 if status == 408 else -1001))
            return _json_response(status, {"code": code, "msg": UNKNOWN_STATUS_MESSAGES[code]})
        if body == "html":  # a proxy or load balancer in front of the exchange
            page = f"<html><head><title>{status} Error</title></head><body><h1>{status}</h1>"
            page += "<p>The server encountered a temporary error.</p></body></html>"
            return _Response(status, page.encode(), {"Content-Type": "text/html"})
        return _Response(
            status, b"Service temporarily unavailable.", {"Content-Type": "text/plain"}
        )

    def _routes(self) -> dict[str, tuple[str, Callable[[dict[str, str]], Any]]]:
        def futures_info(_: dict[str, str]) -> Any:
            return binance.futures_exchange_info(now_ms())

        def server_time(_: dict[str, str]) -> Any:
            return {"serverTime": self.server_now()}

        routes: dict[str, tuple[str, Callable[[dict[str, str]], Any]]] = {
            "/api/v3/exchangeInfo": ("exchangeInfo", self._exchange_info),
            "/api/v3/klines": ("klines", self._klines),
            "/fapi/v1/exchangeInfo": ("exchangeInfo", futures_info),
            "/dapi/v1/exchangeInfo": ("exchangeInfo", futures_info),
        }
        for prefix in ("/api/v3", "/fapi/v1", "/dapi/v1"):
            routes[f"{prefix}/ping"] = ("ping", lambda _: {})
            routes[f"{prefix}/time"] = ("time", server_time)
        return routes

    def _exchange_info(self, _: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            symbols = [
                binance.symbol_info(m.market_id, m.base, m.quote, m.price_decimals, m.qty_decimals)
                for m in self._markets.values()
            ]
        return binance.exchange_info(now_ms(), symbols)

    def _klines(self, params: dict[str, str]) -> list[list[Any]]:
        symbol = binance.required_param(params, "symbol")
        interval = binance.required_param(params, "interval")
        limit = binance.limit_param(params)
        start, end = binance.int_param(params, "startTime"), binance.int_param(params, "endTime")
        with self._lock:
            market = self._markets.get(symbol)
        if market is None:
            raise ApiError(400, -1121, "Invalid symbol.")
        if interval not in INTERVALS:
            raise ApiError(400, -1120, "Invalid interval.")
        series = self._series_for(market, interval)
        if series is None:  # neither added nor aggregatable: this emulator has no such candles
            return []
        now = self.market_now()
        # Only candles closed by now (the market clock): nothing from the future.
        served = int(np.searchsorted(close_times(series.times, interval), now, side="right"))
        times, live = series.times[:served], None
        if self.unclosed_last and served:
            live = self._live_candle(market, series.candles[:served], interval, now)
            if live is not None:
                times = np.append(times, np.int64(live[0]))
        chosen = binance.window(times, start, end, limit)
        rows = series.candles[chosen.start : min(chosen.stop, served)]
        if live is not None and chosen.start <= served < chosen.stop:
            rows = np.vstack([rows, live])
        return binance.kline_rows(rows, interval, self._take_corruption(len(rows)))

    def _take_corruption(self, row_count: int) -> Corruption | None:
        """Consume a queued malformed_row fault, only when there is a row to corrupt."""
        fault = self._faults.take(("malformed_row",), "klines") if row_count else None
        if fault is None:
            return None
        return Corruption(fault.opts.get("mode", "high_below_low"), int(fault.opts.get("index", 0)))

    def _series_for(self, market: _Market, interval: str) -> _Series | None:
        """The added series, else one aggregated from the coarsest finer series (cached)."""
        with self._lock:
            if interval in market.series:
                return market.series[interval]
            if interval not in market.aggregated:
                market.aggregated[interval] = self._aggregate(market, interval)
            return market.aggregated[interval]

    @staticmethod
    def _aggregate(market: _Market, interval: str) -> _Series | None:
        source = aggregation_source(interval, tuple(market.series))
        if source is None:
            return None
        candles = market.series[source].candles
        volume_decimals = exact_decimals(candles[:, 5])
        return _series(aggregate_candles(candles, source, interval, volume_decimals))

    def _live_candle(
        self, market: _Market, candles: np.ndarray, interval: str, now: int
    ) -> np.ndarray | None:
        """The still-open candle of now's bucket, when the data does not already reach it."""
        open_time = int(bucket_floor(now, interval))
        if open_time <= candles[-1, 0]:
            return None
        length = int(bucket_next(open_time, interval)) - open_time
        recent_volume = float(np.mean(candles[-20:, 5]))
        return binance.live_candle(
            open_time,
            float(candles[-1, 4]),
            recent_volume,
            (now - open_time) / length,
            (market.price_decimals, market.qty_decimals),
        )

    def _control(self, method: str, action: str, body: bytes, query: dict[str, str]) -> _Response:
        """GET/POST/DELETE faults, GET/DELETE requests, GET markets; accounts, orders, clock and
        settings (private.py)."""
        answer = self._private_control(method, action, body, query)
        if answer is not None:
            return _json_response(*answer)
        if action == "faults" and method == "POST":
            try:
                spec = json.loads(body or b"{}")
                if not isinstance(spec, dict) or "kind" not in spec:
                    raise ValueError('Body must be a JSON object with a "kind".')
                self.inject(spec.pop("kind"), spec.pop("count", 1), **spec)
            except ValueError as error:  # JSONDecodeError is a ValueError too
                return _json_response(400, {"error": str(error)})
        elif action == "faults" and method == "DELETE":
            self.clear_faults()
        elif action == "requests" and method == "DELETE":
            self.reset_requests()
        if action == "faults" and method in ("GET", "POST", "DELETE"):
            return _json_response(200, {"faults": self.faults, "unclosed_last": self.unclosed_last})
        if action == "requests" and method in ("GET", "DELETE"):
            return _json_response(200, self.requests)
        if action == "markets" and method == "GET":
            return _json_response(200, self.markets())
        return _json_response(
            404, {"error": f"No control endpoint {method} {CONTROL_PREFIX}{action}."}
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], emulator: Any
    ) -> None:
        self.emulator: ExchangeEmulator = emulator
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as ccxt's requests session expects
    server: _Server
    timeout = 30  # idle keep-alive connections do not hold a thread forever

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if "form-urlencoded" in (self.headers.get("Content-Type") or ""):  # signed POSTs
            params |= dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        request = _Request(
            method=self.command,
            path=url.path,
            params=params,
            body=body,
            raw_query=url.query,
            api_key=self.headers.get("X-MBX-APIKEY"),
            client_ip=self.client_address[0],
        )
        emulator = self.server.emulator
        response = emulator._handle(request)
        if response.delay and emulator._stopping.wait(response.delay):
            self.close_connection = True  # stopping: no answer to a request meant to time out
            return
        if response.drop:  # accepted, but the answer never arrives
            self.close_connection = True
            return
        if response.reset:  # SO_LINGER 0: close() sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        try:
            self.send_response(response.status)
            headers = {"Content-Type": JSON_TYPE, **response.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. timed out on "slow")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # requests are in ExchangeEmulator.requests; stderr stays quiet
