"""The private (signed) half of the emulated Binance spot API, and the market clock.

Endpoints: POST/GET/DELETE /api/v3/order, POST /api/v3/orderList/oco, GET/DELETE
/api/v3/orderList, GET /api/v3/openOrderList, GET /api/v3/openOrders, /api/v3/account,
/api/v3/myTrades. The market clock decides which candles are closed "now": klines after it are not
served, market orders fill at the close of the last closed candle, and resting limit orders fill
(stop orders trigger) when the clock moves past a candle that reaches their price.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from .binance import ApiError
from .candles import bucket_next, interval_ms
from .faults import FaultQueue
from .signing import WeightBudget
from .trading import Account, TradingBook

Handler = Callable[[dict[str, str], Account], Any]


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


def close_times(open_times: np.ndarray, interval: str) -> np.ndarray:
    if interval == "1M":  # months vary in length
        return np.asarray(bucket_next(open_times, interval), dtype=np.int64)
    return open_times + interval_ms(interval)


class PrivateApi:
    """Mixed into ExchangeEmulator: needs its `_markets`, `_faults` and `_lock`."""

    _markets: dict[str, Any]
    _faults: FaultQueue
    _lock: threading.RLock

    def _private_init(self) -> None:
        self.book = TradingBook()
        self.budget = WeightBudget()
        self.clock_ms: int | None = None  # the market clock; None follows the wall clock
        self.server_time_offset_ms = 0  # skews the clock signed requests are checked against
        self.lookup_lag_ms = 0  # every new order hidden from lookups this long (faults add more)

    # -- clocks --------------------------------------------------------------------------------

    def market_now(self) -> int:
        clock = self.clock_ms
        return wall_ms() if clock is None else clock

    def server_now(self) -> int:
        """The exchange's own clock (serverTime, and what timestamps are checked against)."""
        return wall_ms() + self.server_time_offset_ms

    def clock_set(self, time_ms: int) -> list[dict[str, Any]]:
        """Move the market clock to `time_ms`; candles closing on the way fill limit orders."""
        with self._lock:
            before = self.clock_ms
            self.clock_ms = int(time_ms)
            filled = []
            if before is not None and time_ms > before:
                for market in self._markets.values():
                    filled += self._close_candles(market, before, int(time_ms))
        # each order once, as it is now (one can trigger on a candle and fill on a later one)
        unique = {order.order_id: order for order in filled}
        return [order.as_book_entry() for order in unique.values()]

    def clock_advance(self, bars: int, timeframe: str | None = None) -> list[dict[str, Any]]:
        """Advance the clock by `bars` bars of `timeframe` (default: the finest series served)."""
        if not isinstance(bars, int) or isinstance(bars, bool) or bars < 1:
            raise ValueError("advance must be an integer >= 1.")
        with self._lock:
            timeframe = timeframe or self._finest_timeframe()
            if timeframe == "1M":
                raise ValueError("Advance by a fixed-length timeframe (1m .. 1w), not months.")
            start = self.market_now()
            self.clock_ms = start
            return self.clock_set(start + bars * interval_ms(timeframe))

    def _finest_timeframe(self) -> str:
        finest = None
        for market in self._markets.values():
            for timeframe in market.series:
                if timeframe != "1M" and (
                    finest is None or interval_ms(timeframe) < interval_ms(finest)
                ):
                    finest = timeframe
        if finest is None:
            raise ValueError("No candles are served: add a market before moving the clock.")
        return finest

    def _finest_series(self, market: Any) -> tuple[str, Any] | None:
        filled = [(tf, s) for tf, s in market.series.items() if len(s.times) and tf != "1M"]
        if not filled:
            return None
        return min(filled, key=lambda item: interval_ms(item[0]))

    def _close_candles(self, market: Any, after_ms: int, until_ms: int) -> list[Any]:
        finest = self._finest_series(market)
        if finest is None:
            return []
        timeframe, series = finest
        closes = close_times(series.times, timeframe)
        lo = int(np.searchsorted(closes, after_ms, side="right"))
        hi = int(np.searchsorted(closes, until_ms, side="right"))
        filled = []
        for row, close in zip(series.candles[lo:hi], closes[lo:hi], strict=True):
            filled += self.book.candle_closed(
                symbol=market.market_id,
                open_=Decimal(repr(float(row[1]))),
                high=Decimal(repr(float(row[2]))),
                low=Decimal(repr(float(row[3]))),
                close_ms=int(close),
            )
        return filled

    def price_now(self, market: Any) -> Decimal | None:
        """Close of the last candle closed on the market clock (None before the first)."""
        finest = self._finest_series(market)
        if finest is None:
            return None
        timeframe, series = finest
        served = int(
            np.searchsorted(close_times(series.times, timeframe), self.market_now(), "right")
        )
        return Decimal(repr(float(series.candles[served - 1, 4]))) if served else None

    # -- signed endpoints ----------------------------------------------------------------------

    def _private_routes(self) -> dict[tuple[str, str], tuple[str, Handler]]:
        return {
            ("POST", "/api/v3/order"): ("order", self._new_order),
            ("GET", "/api/v3/order"): ("getOrder", self._get_order),
            ("DELETE", "/api/v3/order"): ("cancelOrder", self._cancel_order),
            ("GET", "/api/v3/openOrders"): ("openOrders", self._open_orders),
            ("POST", "/api/v3/orderList/oco"): ("orderList", self._new_order_list),
            ("GET", "/api/v3/orderList"): ("getOrderList", self._get_order_list),
            ("DELETE", "/api/v3/orderList"): ("cancelOrderList", self._cancel_order_list),
            ("GET", "/api/v3/openOrderList"): ("openOrderList", self._open_order_lists),
            ("GET", "/api/v3/account"): ("account", self._account),
            ("GET", "/api/v3/myTrades"): ("myTrades", self._my_trades),
            # ccxt's load_markets asks for currencies once it has keys
            ("GET", "/sapi/v1/capital/config/getall"): ("currencies", self._currencies),
            # ... and margin pairs: spot only here, so none
            ("GET", "/sapi/v1/margin/allPairs"): ("margin", lambda *_: []),
            ("GET", "/sapi/v1/margin/isolated/allPairs"): ("margin", lambda *_: []),
        }

    def _market(self, params: dict[str, str], required: bool = True) -> Any:
        symbol = params.get("symbol", "")
        if not symbol:
            if not required:
                return None
            raise ApiError(
                400,
                -1102,
                "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
            )
        with self._lock:
            market = self._markets.get(symbol)
        if market is None:
            raise ApiError(400, -1121, "Invalid symbol.")
        return market

    def _placement(self, params: dict[str, str], account: Account, endpoint: str) -> dict:
        """What placing an order (or a list) on `endpoint` takes: its market, the clocks, and
        the lookup_lag and partial_fill faults queued for that endpoint."""
        market = self._market(params)
        lag = self._faults.take(("lookup_lag",), endpoint)
        lag_ms = int(float(lag.opts.get("seconds", 5)) * 1000) if lag else self.lookup_lag_ms
        partial = self._faults.take(("partial_fill",), endpoint)
        return {
            "fill_fraction": Decimal(str(partial.opts.get("fraction", 0.5))) if partial else None,
            "account": account,
            "market": (market.market_id, market.base, market.quote),
            "params": params,
            "price_now": self.price_now(market),
            "now_ms": self.market_now(),
            "visible_from_ms": wall_ms() + lag_ms,
        }

    def _new_order(self, params: dict[str, str], account: Account) -> Any:
        order = self.book.order_place(**self._placement(params, account, "order"))
        kind = params.get("newOrderRespType") or "FULL"
        if kind == "ACK":
            return {
                "symbol": order.symbol,
                "orderId": order.order_id,
                "orderListId": -1,
                "clientOrderId": order.client_order_id,
                "transactTime": order.time_ms,
            }
        return order.as_binance(full=kind == "FULL")

    def _new_order_list(self, params: dict[str, str], account: Account) -> Any:
        order_list = self.book.order_list_place(**self._placement(params, account, "orderList"))
        return order_list.as_binance(reports=True)

    def _get_order_list(self, params: dict[str, str], account: Account) -> Any:
        # Binance's GET orderList takes no symbol: a list id is the account's
        order_list = self.book.order_list_find(account=account, params=params, now_ms=wall_ms())
        if order_list is None:
            raise ApiError(400, -2013, "Order list does not exist.")
        return order_list.as_binance()

    def _cancel_order_list(self, params: dict[str, str], account: Account) -> Any:
        self._market(params)
        order_list = self.book.order_list_find(account=account, params=params, now_ms=wall_ms())
        if order_list is None:
            raise ApiError(400, -2011, "Unknown order sent.")
        return self.book.order_list_cancel(
            account=account, order_list=order_list, now_ms=self.market_now()
        ).as_binance(reports=True)

    def _open_order_lists(self, params: dict[str, str], account: Account) -> Any:
        lists = self.book.open_order_lists(account=account, now_ms=wall_ms())
        return [order_list.as_binance() for order_list in lists]

    def _get_order(self, params: dict[str, str], account: Account) -> Any:
        market = self._market(params)
        order = self.book.order_find(
            account=account, symbol=market.market_id, params=params, now_ms=wall_ms()
        )
        if order is None:
            raise ApiError(400, -2013, "Order does not exist.")
        return order.as_binance()

    def _cancel_order(self, params: dict[str, str], account: Account) -> Any:
        market = self._market(params)
        order = self.book.order_find(
            account=account, symbol=market.market_id, params=params, now_ms=wall_ms()
        )
        if order is None:
            raise ApiError(400, -2011, "Unknown order sent.")
        return self.book.order_cancel(
            account=account, order=order, now_ms=self.market_now()
        ).as_binance()

    def _open_orders(self, params: dict[str, str], account: Account) -> Any:
        market = self._market(params, required=False)
        orders = self.book.open_orders(
            account=account, symbol=market.market_id if market else None, now_ms=wall_ms()
        )
        return [order.as_binance() for order in orders]

    def _account(self, params: dict[str, str], account: Account) -> Any:
        balances = account.balances()
        if params.get("omitZeroBalances") == "true":
            balances = [b for b in balances if Decimal(b["free"]) or Decimal(b["locked"])]
        rate = str(account.commission)
        return {
            "makerCommission": int(account.commission * 10_000),
            "takerCommission": int(account.commission * 10_000),
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": {"maker": rate, "taker": rate, "buyer": "0", "seller": "0"},
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": self.market_now(),
            "accountType": "SPOT",
            "balances": balances,
            "permissions": ["SPOT"],
            "uid": zlib.crc32(account.api_key.encode()),
        }

    def _currencies(self, params: dict[str, str], account: Account) -> Any:
        with self._lock:
            coins = sorted({a for m in self._markets.values() for a in (m.base, m.quote)})
        free = {b["asset"]: b for b in account.balances()}
        return [
            {
                "coin": coin,
                "name": coin,
                "depositAllEnable": True,
                "withdrawAllEnable": True,
                "trading": True,
                "isLegalMoney": False,
                "free": free.get(coin, {}).get("free", "0"),
                "locked": free.get(coin, {}).get("locked", "0"),
                "networkList": [],
            }
            for coin in coins
        ]

    def _my_trades(self, params: dict[str, str], account: Account) -> Any:
        market = self._market(params)
        trades = self.book.my_trades(account=account, symbol=market.market_id, params=params)
        return [trade.as_binance() for trade in trades]

    # -- control -------------------------------------------------------------------------------

    def _private_control(
        self, method: str, action: str, body: bytes, query: dict[str, str]
    ) -> tuple[int, Any] | None:
        """accounts, orders, clock and settings; None when the action is not one of these."""
        try:
            spec = json.loads(body or b"{}") if method == "POST" else {}
            if not isinstance(spec, dict):
                raise ValueError("Body must be a JSON object.")
            return self._private_control_checked(method, action, spec, query)
        except (ValueError, TypeError) as error:  # JSONDecodeError is a ValueError too
            return 400, {"error": str(error)}

    def _private_control_checked(
        self, method: str, action: str, spec: dict[str, Any], query: dict[str, str]
    ) -> tuple[int, Any] | None:
        if action == "accounts" and method == "POST":
            account = self.book.account_create(
                api_key=str(spec.get("api_key", "")),
                secret=str(spec.get("secret", "")),
                balances=spec.get("balances") or {},
                ip_whitelist=tuple(spec.get("ip_whitelist") or ()),
            )
            return 201, {"apiKey": account.api_key, "balances": account.balances()}
        if action == "accounts" and method == "GET":
            return 200, self.book.accounts()
        if action == "deposits" and method == "POST":
            account = self.book.deposit(
                api_key=str(spec.get("api_key", "")),
                asset=str(spec.get("asset", "")),
                amount=spec.get("amount"),
            )
            return 200, {"apiKey": account.api_key, "balances": account.balances()}
        if action == "orders" and method == "GET":
            return 200, self.book.orders(query.get("api_key"))
        if action == "orderLists" and method == "GET":
            return 200, self.book.order_lists(query.get("api_key"))
        if action == "orders" and method == "DELETE":
            self.book.reset()
            return 200, []
        if action == "clock" and method == "POST":
            if "advance" in spec:
                filled = self.clock_advance(spec["advance"], spec.get("timeframe"))
            elif isinstance(spec.get("time"), int):
                filled = self.clock_set(spec["time"])
            else:
                raise ValueError('Send {"advance": N[, "timeframe": "5m"]} or {"time": epoch_ms}.')
            return 200, {"time": self.clock_ms, "filled": filled}
        if action == "clock" and method == "DELETE":
            self.clock_ms = None
        if action == "clock" and method in ("GET", "DELETE"):
            return 200, {"time": self.clock_ms, "now": self.market_now()}
        if action == "settings" and method == "POST":
            self.settings_update(**spec)
        if action == "settings" and method in ("GET", "POST"):
            return 200, self.settings()
        return None

    def settings_update(self, **values: Any) -> None:
        """weight_limit (null = off), weight_interval_seconds, server_time_offset_ms,
        lookup_lag_seconds."""
        known = {
            "weight_limit",
            "weight_interval_seconds",
            "server_time_offset_ms",
            "lookup_lag_seconds",
        }
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"Unknown settings {sorted(unknown)}; expected {sorted(known)}.")
        if "weight_limit" in values or "weight_interval_seconds" in values:
            self.budget.configure(
                values.get("weight_limit", self.budget.limit),
                values.get("weight_interval_seconds", self.budget.interval_s),
            )
        if "server_time_offset_ms" in values:
            if not isinstance(values["server_time_offset_ms"], int):
                raise ValueError("server_time_offset_ms must be an integer.")
            self.server_time_offset_ms = values["server_time_offset_ms"]
        if "lookup_lag_seconds" in values:
            lag = values["lookup_lag_seconds"]
            if not isinstance(lag, int | float) or lag < 0:
                raise ValueError("lookup_lag_seconds must be a number >= 0.")
            self.lookup_lag_ms = int(lag * 1000)

    def settings(self) -> dict[str, Any]:
        return {
            **self.budget.state(),
            "server_time_offset_ms": self.server_time_offset_ms,
            "lookup_lag_seconds": self.lookup_lag_ms / 1000,
            "clock": self.clock_ms,
        }
