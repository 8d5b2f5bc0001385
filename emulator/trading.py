"""The emulator's trading book: API-key accounts with balances, orders, fills and own trades.

Binance spot semantics, not kinder ones: a client order id is unique among the account's OPEN
orders only (a filled order's id can be sent again and makes a second order); MARKET orders fill at
the current price; a LIMIT order that crosses the current price fills at once (taker), otherwise it
rests, its funds locked, until a closed candle reaches its price (maker, at the limit price).
STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT orders wait, their funds locked, for a closed candle that
triggers them (stops.py has the rules), then act as LIMIT orders; an OCO list holds two of them
(or a LIMIT_MAKER and a stop), locks its quantity once, and expires the other leg when one leg
triggers or fills. Commission is charged on what the account receives, as Binance does without BNB.

No HTTP here: the server turns requests into these calls and the answers into Binance's JSON.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from . import stops
from .binance import ApiError

DEFAULT_COMMISSION = Decimal("0.001")  # 0.1% per fill, Binance's base spot rate
ZERO = Decimal(0)

OPEN, FILLED, CANCELED = "NEW", "FILLED", "CANCELED"
PARTIALLY_FILLED, EXPIRED = "PARTIALLY_FILLED", "EXPIRED"
OPEN_STATUSES = (OPEN, PARTIALLY_FILLED)
ORDER_TYPES = ("MARKET", "LIMIT", stops.LIMIT_MAKER, *stops.STOP_TYPES)
PRICED_TYPES = ("LIMIT", stops.LIMIT_MAKER, *stops.STOP_TYPES)  # those with a limit price
PARTIAL_STEP = Decimal("0.00001")  # a partial fill's quantity is truncated to this lot step
# An order list's status (listOrderStatus, listStatusType): executing, or done (a leg triggered or
# filled and the other expired, or the list was cancelled).
LIST_EXECUTING, LIST_DONE = ("EXECUTING", "EXEC_STARTED"), ("ALL_DONE", "ALL_DONE")


def _error(code: int, msg: str, status: int = 400) -> ApiError:
    return ApiError(status, code, msg)


def decimal_param(params: dict[str, str], name: str) -> Decimal | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise _error(-1100, f"Illegal characters found in parameter '{name}'.") from None
    if not value.is_finite() or value <= 0:
        raise _error(-1013, f"Invalid value for parameter '{name}'.")
    return value


def _client_id(value: str | None, name: str) -> str:
    """The client id sent (checked as Binance does), or one of the exchange's own."""
    client_id = value or f"emu_{uuid.uuid4().hex[:22]}"
    if len(client_id) > 36 or not all(c.isalnum() or c in "-_.:/" for c in client_id):
        raise _error(-1100, f"Illegal characters found in parameter '{name}'.")
    return client_id


def _text(value: Decimal) -> str:
    """Binance writes amounts as 8-decimal strings."""
    return f"{value:.8f}"


@dataclass
class Account:
    api_key: str
    secret: str
    free: dict[str, Decimal] = field(default_factory=dict)
    locked: dict[str, Decimal] = field(default_factory=dict)
    ip_whitelist: tuple[str, ...] = ()  # empty: any IP
    commission: Decimal = DEFAULT_COMMISSION

    def balances(self) -> list[dict[str, str]]:
        assets = sorted(set(self.free) | set(self.locked))
        return [
            {
                "asset": asset,
                "free": _text(self.free.get(asset, ZERO)),
                "locked": _text(self.locked.get(asset, ZERO)),
            }
            for asset in assets
        ]

    def add(self, book: dict[str, Decimal], asset: str, amount: Decimal) -> None:
        """Add `amount` (negative: remove) of `asset` to `book` (self.free or self.locked)."""
        book[asset] = book.get(asset, ZERO) + amount


@dataclass
class Trade:
    trade_id: int
    order_id: int
    api_key: str
    symbol: str
    price: Decimal
    qty: Decimal
    commission: Decimal
    commission_asset: str
    time_ms: int
    is_buyer: bool
    is_maker: bool
    order_list_id: int = -1

    def as_binance(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "id": self.trade_id,
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "price": _text(self.price),
            "qty": _text(self.qty),
            "quoteQty": _text(self.price * self.qty),
            "commission": _text(self.commission),
            "commissionAsset": self.commission_asset,
            "time": self.time_ms,
            "isBuyer": self.is_buyer,
            "isMaker": self.is_maker,
            "isBestMatch": True,
        }


@dataclass
class Order:
    order_id: int
    client_order_id: str
    api_key: str
    symbol: str  # market id, e.g. BTCUSDT
    base: str
    quote: str
    side: str  # BUY | SELL
    type: str  # MARKET | LIMIT | LIMIT_MAKER | STOP_LOSS_LIMIT | TAKE_PROFIT_LIMIT
    quantity: Decimal
    price: Decimal | None
    time_in_force: str | None
    time_ms: int
    visible_from_ms: int  # lookups answer "does not exist" before this (Binance's lag)
    status: str = OPEN
    executed: Decimal = ZERO
    quote_executed: Decimal = ZERO
    update_ms: int = 0
    fills: list[Trade] = field(default_factory=list)
    stop_price: Decimal | None = None
    working: bool = True  # Binance's isWorking: False for a stop order not triggered yet
    working_ms: int | None = None  # when it started working (triggered); None: at placement
    order_list_id: int = -1
    locked: Decimal = ZERO  # held locked for it (quote for a buy, base for a sell)
    fill_fraction: Decimal | None = None  # partial_fill fault: the part its next fill takes

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def pay_asset(self) -> str:
        return self.quote if self.side == "BUY" else self.base

    def as_binance(self, full: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "clientOrderId": self.client_order_id,
            "price": _text(self.price or ZERO),
            "origQty": _text(self.quantity),
            "executedQty": _text(self.executed),
            "cummulativeQuoteQty": _text(self.quote_executed),
            "status": self.status,
            "timeInForce": self.time_in_force or "GTC",
            "type": self.type,
            "side": self.side,
            "stopPrice": _text(self.stop_price or ZERO),
            "icebergQty": _text(ZERO),
            "time": self.time_ms,
            "updateTime": self.update_ms or self.time_ms,
            "isWorking": self.working,
            "workingTime": (self.working_ms or self.time_ms) if self.working else -1,
            "origQuoteOrderQty": _text(ZERO),
            "selfTradePreventionMode": "EXPIRE_MAKER",
        }
        if full:  # the answer to a new order (newOrderRespType FULL)
            body["transactTime"] = self.time_ms
            body["fills"] = [
                {
                    "price": _text(t.price),
                    "qty": _text(t.qty),
                    "commission": _text(t.commission),
                    "commissionAsset": t.commission_asset,
                    "tradeId": t.trade_id,
                }
                for t in self.fills
            ]
        return body

    def as_book_entry(self) -> dict[str, Any]:
        """What the control endpoint shows: the order as the exchange holds it."""
        return {**self.as_binance(), "apiKey": self.api_key, "visibleFrom": self.visible_from_ms}

    def as_report(self) -> dict[str, Any]:
        """One of an order list's orderReports."""
        body = self.as_binance()
        for name in ("time", "updateTime", "isWorking", "icebergQty"):
            body.pop(name)
        return {**body, "transactTime": self.update_ms or self.time_ms}


@dataclass
class OrderList:
    """An OCO: two orders of one account, side and quantity; the first to trigger or fill expires
    the other. `locked` is what the list holds until one leg takes it over."""

    list_id: int
    list_client_id: str
    api_key: str
    symbol: str
    orders: list[Order]  # the below leg, then the above leg
    time_ms: int
    visible_from_ms: int
    locked: Decimal = ZERO
    status: tuple[str, str] = LIST_EXECUTING  # (listOrderStatus, listStatusType)

    @property
    def is_open(self) -> bool:
        return self.status == LIST_EXECUTING

    def stop_first(self) -> list[Order]:
        """The legs, the stop-loss leg first: when one candle reaches both, the stop wins
        (pessimistic, as the platform's backtest assumes)."""
        return sorted(self.orders, key=lambda o: o.type != stops.STOP_LOSS_LIMIT)

    def as_binance(self, reports: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "orderListId": self.list_id,
            "contingencyType": "OCO",
            "listStatusType": self.status[1],
            "listOrderStatus": self.status[0],
            "listClientOrderId": self.list_client_id,
            "transactionTime": self.time_ms,
            "symbol": self.symbol,
            "orders": [
                {"symbol": o.symbol, "orderId": o.order_id, "clientOrderId": o.client_order_id}
                for o in self.orders
            ],
        }
        if reports:  # the answers to placing and cancelling carry each order's state
            body["orderReports"] = [o.as_report() for o in self.orders]
        return body

    def as_book_entry(self) -> dict[str, Any]:
        return {
            **self.as_binance(reports=True),
            "apiKey": self.api_key,
            "visibleFrom": self.visible_from_ms,
        }


class TradingBook:
    """Accounts, orders and trades, thread-safe (the server answers from many threads)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._accounts: dict[str, Account] = {}
        self._orders: list[Order] = []
        self._trades: list[Trade] = []
        self._lists: dict[int, OrderList] = {}
        self._order_ids = itertools.count(1)
        self._trade_ids = itertools.count(1)
        self._list_ids = itertools.count(1)

    # -- accounts ------------------------------------------------------------------------------

    def account_create(
        self,
        *,
        api_key: str,
        secret: str,
        balances: dict[str, Any] | None = None,
        ip_whitelist: list[str] | tuple[str, ...] = (),
    ) -> Account:
        """Create (or replace) the account of `api_key`; ValueError on bad input."""
        if not api_key or not secret or not api_key.isprintable() or not secret.isprintable():
            raise ValueError("api_key and secret must be non-empty printable strings.")
        free = {}
        for asset, amount in (balances or {}).items():
            try:
                value = Decimal(str(amount))
            except InvalidOperation:
                raise ValueError(f"Balance of {asset} is not a number: {amount!r}.") from None
            if not value.is_finite() or value < 0 or not str(asset).isalnum():
                raise ValueError(f"Bad balance {asset}={amount!r}.")
            free[str(asset).upper()] = value
        account = Account(api_key, secret, free, {}, tuple(ip_whitelist))
        with self._lock:
            self._accounts[api_key] = account
        return account

    def account(self, api_key: str) -> Account | None:
        with self._lock:
            return self._accounts.get(api_key)

    def deposit(self, *, api_key: str, asset: str, amount: Any) -> Account:
        """Credit `amount` of `asset` to the account (a deposit: assets that arrive on the
        account without an order of the platform); ValueError on bad input."""
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            raise ValueError(f"Deposit amount is not a number: {amount!r}.") from None
        if not value.is_finite() or value <= 0 or not str(asset).isalnum():
            raise ValueError(f"Bad deposit {asset}={amount!r}.")
        with self._lock:
            account = self._accounts.get(api_key)
            if account is None:
                raise ValueError(f"No account with API key {api_key!r}.")
            asset = str(asset).upper()
            account.free[asset] = account.free.get(asset, Decimal(0)) + value
        return account

    def accounts(self) -> list[dict[str, Any]]:
        """Keys and balances (never the secrets), for the control endpoint."""
        with self._lock:
            return [
                {"apiKey": a.api_key, "balances": a.balances(), "ipWhitelist": list(a.ip_whitelist)}
                for a in self._accounts.values()
            ]

    # -- orders --------------------------------------------------------------------------------

    def order_place(
        self,
        *,
        account: Account,
        market: tuple[str, str, str],
        params: dict[str, str],
        price_now: Decimal | None,
        now_ms: int,
        visible_from_ms: int = 0,
        fill_fraction: Decimal | None = None,
    ) -> Order:
        """Validate and accept (or reject with Binance's error) a new MARKET, LIMIT, LIMIT_MAKER,
        STOP_LOSS_LIMIT or TAKE_PROFIT_LIMIT order. `fill_fraction` (the partial_fill fault): a
        MARKET order fills only that part of its quantity and expires the rest, as Binance's does
        when the book runs dry; a stop order's first fill (once triggered) takes only that part
        and the rest rests at its limit price."""
        symbol, base, quote = market
        side = params.get("side", "")
        kind = params.get("type", "")
        if side not in ("BUY", "SELL"):
            raise _error(
                -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed."
            )
        if kind not in ORDER_TYPES:
            raise _error(-1116, "Invalid orderType.")
        quantity = decimal_param(params, "quantity")
        quote_qty = decimal_param(params, "quoteOrderQty")
        price = decimal_param(params, "price")
        stop_price = decimal_param(params, "stopPrice")
        tif = params.get("timeInForce") or None
        if kind in PRICED_TYPES:
            if quantity is None or price is None:
                raise _error(-1102, "Mandatory parameter 'quantity' or 'price' was not sent.")
        elif price is not None:
            raise _error(-1106, "Parameter 'price' sent when not required.")
        if kind == "LIMIT" and tif not in ("GTC", "IOC", "FOK"):
            raise _error(-1102, "Mandatory parameter 'timeInForce' was not sent.")
        if kind in stops.STOP_TYPES:
            if stop_price is None:
                raise _error(-1102, "Mandatory parameter 'stopPrice' was not sent.")
            if tif is None:
                raise _error(-1102, "Mandatory parameter 'timeInForce' was not sent.")
            if tif != "GTC":  # IOC/FOK stop orders are not emulated
                raise _error(-1115, "Invalid timeInForce.")
        elif stop_price is not None:
            raise _error(-1106, "Parameter 'stopPrice' sent when not required.")
        if kind == stops.LIMIT_MAKER and tif is not None:
            raise _error(-1106, "Parameter 'timeInForce' sent when not required.")
        if price_now is None:
            raise _error(-2010, "Market is closed.")  # no candle closed yet on the clock
        if kind == "MARKET" and quantity is None:
            if quote_qty is None:
                raise _error(-1102, "Mandatory parameter 'quantity' was not sent.")
            quantity = (quote_qty / price_now).quantize(Decimal("0.00000001"))
        assert quantity is not None
        if kind in stops.STOP_TYPES:
            assert stop_price is not None
            if stops.triggers_now(kind, side, stop_price, price_now):
                raise _error(-2010, stops.TRIGGERS_NOW_MSG)
        client_id = _client_id(params.get("newClientOrderId"), "newClientOrderId")
        with self._lock:
            if self._client_id_open(account, client_id):
                raise _error(-2010, "Duplicate order sent.")
            crosses = kind == "MARKET" or (
                kind in ("LIMIT", stops.LIMIT_MAKER)
                and price is not None
                and stops.marketable(side, price, price_now)
            )
            if crosses and kind == stops.LIMIT_MAKER:
                raise _error(-2010, stops.MAKER_TAKES_MSG)
            fill_price = price_now if crosses else price
            assert fill_price is not None
            needed = quantity * fill_price if side == "BUY" else quantity
            pay = quote if side == "BUY" else base
            if account.free.get(pay, ZERO) < needed:
                raise _error(-2010, "Account has insufficient balance for requested action.")
            order = Order(
                order_id=next(self._order_ids),
                client_order_id=client_id,
                api_key=account.api_key,
                symbol=symbol,
                base=base,
                quote=quote,
                side=side,
                type=kind,
                quantity=quantity,
                price=price,
                time_in_force=tif if kind in ("LIMIT", *stops.STOP_TYPES) else None,
                time_ms=now_ms,
                visible_from_ms=visible_from_ms,
                stop_price=stop_price,
                working=kind not in stops.STOP_TYPES,
            )
            self._orders.append(order)
            if crosses and kind == "MARKET" and fill_fraction is not None:
                part = (quantity * fill_fraction).quantize(PARTIAL_STEP, ROUND_DOWN)
                self._fill(account, order, fill_price, now_ms, maker=False, quantity=part)
                order.status = EXPIRED
            elif crosses:
                self._fill(account, order, fill_price, now_ms, maker=False)
            elif order.time_in_force in ("IOC", "FOK"):
                order.status, order.update_ms = EXPIRED, now_ms
            else:  # resting or waiting for its trigger: lock what it will pay
                self._lock_funds(account, order, needed)
                if kind in stops.STOP_TYPES:
                    order.fill_fraction = fill_fraction
            return order

    def order_list_place(
        self,
        *,
        account: Account,
        market: tuple[str, str, str],
        params: dict[str, str],
        price_now: Decimal | None,
        now_ms: int,
        visible_from_ms: int = 0,
        fill_fraction: Decimal | None = None,
    ) -> OrderList:
        """Validate and accept a new OCO (POST /api/v3/orderList/oco): two legs of one side and
        quantity, the quantity locked once (a buy locks quantity x the higher leg price).
        `fill_fraction` (partial_fill): the first leg to fill takes only that part."""
        symbol, base, quote = market
        side = params.get("side", "")
        if side not in ("BUY", "SELL"):
            raise _error(
                -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed."
            )
        quantity = decimal_param(params, "quantity")
        if quantity is None:
            raise _error(-1102, "Mandatory parameter 'quantity' was not sent.")
        if price_now is None:
            raise _error(-2010, "Market is closed.")
        below, above = stops.oco_legs(side, params, decimal_param, price_now)
        list_client_id = _client_id(params.get("listClientOrderId"), "listClientOrderId")
        leg_ids = [
            _client_id(leg.client_id, f"{leg.position}ClientOrderId") for leg in (below, above)
        ]
        with self._lock:
            taken = [c for c in (list_client_id, *leg_ids) if self._client_id_open(account, c)]
            if taken or leg_ids[0] == leg_ids[1]:
                raise _error(-2010, "Duplicate order sent.")
            needed = quantity * max(below.price, above.price) if side == "BUY" else quantity
            pay = quote if side == "BUY" else base
            if account.free.get(pay, ZERO) < needed:
                raise _error(-2010, "Account has insufficient balance for requested action.")
            order_list = OrderList(
                list_id=next(self._list_ids),
                list_client_id=list_client_id,
                api_key=account.api_key,
                symbol=symbol,
                orders=[],
                time_ms=now_ms,
                visible_from_ms=visible_from_ms,
            )
            for leg, client_id in zip((below, above), leg_ids, strict=True):
                order = Order(
                    order_id=next(self._order_ids),
                    client_order_id=client_id,
                    api_key=account.api_key,
                    symbol=symbol,
                    base=base,
                    quote=quote,
                    side=side,
                    type=leg.kind,
                    quantity=quantity,
                    price=leg.price,
                    time_in_force=leg.time_in_force,
                    time_ms=now_ms,
                    visible_from_ms=visible_from_ms,
                    stop_price=leg.stop_price,
                    working=leg.kind == stops.LIMIT_MAKER,
                    order_list_id=order_list.list_id,
                    fill_fraction=fill_fraction,
                )
                order_list.orders.append(order)
                self._orders.append(order)
            account.add(account.free, pay, -needed)
            account.add(account.locked, pay, needed)
            order_list.locked = needed
            self._lists[order_list.list_id] = order_list
            return order_list

    def _client_id_open(self, account: Account, client_id: str) -> bool:
        """Binance refuses a client id (of an order or a list) only while its owner is open."""
        return any(
            o.is_open and o.api_key == account.api_key and o.client_order_id == client_id
            for o in self._orders
        ) or any(
            lst.is_open and lst.api_key == account.api_key and lst.list_client_id == client_id
            for lst in self._lists.values()
        )

    def _lock_funds(self, account: Account, order: Order, amount: Decimal) -> None:
        account.add(account.free, order.pay_asset, -amount)
        account.add(account.locked, order.pay_asset, amount)
        order.locked += amount

    def _unlock(self, account: Account, order: Order) -> None:
        """Release everything the order holds locked."""
        account.add(account.locked, order.pay_asset, -order.locked)
        account.add(account.free, order.pay_asset, order.locked)
        order.locked = ZERO

    def _fill(
        self,
        account: Account,
        order: Order,
        price: Decimal,
        now_ms: int,
        maker: bool,
        quantity: Decimal | None = None,
    ) -> None:
        """Fill `quantity` (default: all that is left) of the order at `price`, from free funds."""
        quantity = order.quantity - order.executed if quantity is None else quantity
        gross = quantity * price
        if order.side == "BUY":
            receive_asset, received = order.base, quantity
            account.add(account.free, order.quote, -gross)
        else:
            receive_asset, received = order.quote, gross
            account.add(account.free, order.base, -quantity)
        commission = (received * account.commission).quantize(Decimal("0.00000001"))
        account.add(account.free, receive_asset, received - commission)
        trade = Trade(
            trade_id=next(self._trade_ids),
            order_id=order.order_id,
            api_key=order.api_key,
            symbol=order.symbol,
            price=price,
            qty=quantity,
            commission=commission,
            commission_asset=receive_asset,
            time_ms=now_ms,
            is_buyer=order.side == "BUY",
            is_maker=maker,
            order_list_id=order.order_list_id,
        )
        order.fills.append(trade)
        self._trades.append(trade)
        order.executed += quantity
        order.quote_executed += gross
        order.status = FILLED if order.executed >= order.quantity else PARTIALLY_FILLED
        order.update_ms = now_ms

    def _fill_resting(
        self, account: Account, order: Order, price: Decimal, now_ms: int, maker: bool
    ) -> None:
        """Fill a resting (or just triggered) order at `price`: all that is left, or the
        partial_fill fault's part of it, the rest resting at its limit with its funds locked."""
        assert order.price is not None
        left = order.quantity - order.executed
        part = left
        if order.fill_fraction is not None:
            part = (left * order.fill_fraction).quantize(PARTIAL_STEP, ROUND_DOWN) or left
            order.fill_fraction = None
        self._unlock(account, order)
        self._fill(account, order, price, now_ms, maker, quantity=part)
        if order.is_open:
            rest = order.quantity - order.executed
            self._lock_funds(account, order, rest * order.price if order.side == "BUY" else rest)

    def candle_closed(
        self,
        *,
        symbol: str,
        high: Decimal,
        low: Decimal,
        close_ms: int,
        open_: Decimal | None = None,
    ) -> list[Order]:
        """Trigger the stop orders and fill the resting limit orders of `symbol` that this closed
        candle reaches (each order at most once per candle; an OCO as one: its stop-loss leg
        first, the other leg expired). Returns the orders that triggered or filled."""
        open_ = (high + low) / 2 if open_ is None else open_
        candle = (open_, high, low, close_ms)
        changed = []
        with self._lock:
            seen: set[int] = set()
            for order in list(self._orders):
                if order.order_id in seen or not (order.is_open and order.symbol == symbol):
                    continue
                order_list = self._lists.get(order.order_list_id)
                if order_list is not None and order_list.is_open:
                    seen.update(o.order_id for o in order_list.orders)
                    changed += self._list_candle(order_list, candle)
                elif self._order_candle(order, candle):
                    changed.append(order)
        return changed

    def _touches(self, order: Order, candle: tuple[Decimal, Decimal, Decimal, int]) -> bool:
        open_, high, low, _ = candle
        assert order.price is not None
        if order.working:
            return stops.reached(order.side, order.price, high, low)
        assert order.stop_price is not None
        trigger = stops.trigger_price(order.type, order.side, order.stop_price, open_, high, low)
        return trigger is not None

    def _order_candle(self, order: Order, candle: tuple[Decimal, Decimal, Decimal, int]) -> bool:
        """Trigger or fill one order on a closed candle; whether it changed."""
        open_, high, low, close_ms = candle
        if order.price is None or not self._touches(order, candle):
            return False
        account = self._accounts[order.api_key]
        if order.working:  # a resting limit reached: maker, at its price
            self._fill_resting(account, order, order.price, close_ms, maker=True)
            return True
        assert order.stop_price is not None
        trigger = stops.trigger_price(order.type, order.side, order.stop_price, open_, high, low)
        assert trigger is not None
        order.working, order.working_ms, order.update_ms = True, close_ms, close_ms
        if stops.marketable(order.side, order.price, trigger):  # taker, at the trigger price
            self._fill_resting(account, order, trigger, close_ms, maker=False)
        return True  # else it rests at its limit until a later candle reaches it

    def _list_candle(
        self, order_list: OrderList, candle: tuple[Decimal, Decimal, Decimal, int]
    ) -> list[Order]:
        """An OCO on a closed candle: the first leg touched (the stop-loss leg first) takes over
        the list's locked funds and triggers or fills; the other leg expires."""
        for leg in order_list.stop_first():
            if not self._touches(leg, candle):
                continue
            close_ms = candle[3]
            other = next(o for o in order_list.orders if o is not leg)
            other.status, other.update_ms = EXPIRED, close_ms
            leg.locked, order_list.locked = order_list.locked, ZERO
            order_list.status = LIST_DONE
            self._order_candle(leg, candle)
            if leg.is_open and leg.side == "BUY":  # keep only what the leg itself needs locked
                account = self._accounts[leg.api_key]
                assert leg.price is not None
                self._unlock(account, leg)
                self._lock_funds(account, leg, (leg.quantity - leg.executed) * leg.price)
            return [leg]
        return []

    def order_find(
        self, *, account: Account, symbol: str, params: dict[str, str], now_ms: int
    ) -> Order | None:
        """By orderId or origClientOrderId (the latest with that id); None if not visible yet."""
        order_id = params.get("orderId")
        client_id = params.get("origClientOrderId")
        if not order_id and not client_id:
            raise _error(
                -1102,
                "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
            )
        with self._lock:
            for order in reversed(self._orders):
                if order.api_key != account.api_key or order.symbol != symbol:
                    continue
                if order_id and str(order.order_id) != order_id:
                    continue
                if client_id and order.client_order_id != client_id:
                    continue
                return order if now_ms >= order.visible_from_ms else None
        return None

    def order_cancel(self, *, account: Account, order: Order, now_ms: int) -> Order:
        """Cancel an open order; a leg of an executing OCO cancels its whole list (as Binance)."""
        with self._lock:
            if not order.is_open:
                raise _error(-2011, "Unknown order sent.")
            order_list = self._lists.get(order.order_list_id)
            if order_list is not None and order_list.is_open:
                self.order_list_cancel(account=account, order_list=order_list, now_ms=now_ms)
                return order
            self._unlock(account, order)
            order.status, order.update_ms = CANCELED, now_ms
            return order

    def order_list_find(
        self, *, account: Account, params: dict[str, str], now_ms: int
    ) -> OrderList | None:
        """By orderListId, or the list's client id (origClientOrderId for GET, listClientOrderId
        for DELETE; the latest with that id); None if not visible yet."""
        list_id = params.get("orderListId")
        client_id = params.get("origClientOrderId") or params.get("listClientOrderId")
        if not list_id and not client_id:
            raise _error(
                -1102,
                "Param 'origClientOrderId' or 'orderListId' must be sent, but both were "
                "empty/null!",
            )
        with self._lock:
            for order_list in reversed(list(self._lists.values())):
                if order_list.api_key != account.api_key:
                    continue
                if list_id and str(order_list.list_id) != list_id:
                    continue
                if client_id and order_list.list_client_id != client_id:
                    continue
                return order_list if now_ms >= order_list.visible_from_ms else None
        return None

    def order_list_cancel(
        self, *, account: Account, order_list: OrderList, now_ms: int
    ) -> OrderList:
        """Cancel both legs of an executing list; -2011 once it is done."""
        with self._lock:
            if not order_list.is_open:
                raise _error(-2011, "Unknown order sent.")
            for order in order_list.orders:
                order.status, order.update_ms = CANCELED, now_ms
            account.add(account.locked, order_list.orders[0].pay_asset, -order_list.locked)
            account.add(account.free, order_list.orders[0].pay_asset, order_list.locked)
            order_list.locked = ZERO
            order_list.status = LIST_DONE
            return order_list

    def open_order_lists(self, *, account: Account, now_ms: int) -> list[OrderList]:
        with self._lock:
            return [
                lst
                for lst in self._lists.values()
                if lst.api_key == account.api_key and lst.is_open and now_ms >= lst.visible_from_ms
            ]

    def open_orders(self, *, account: Account, symbol: str | None, now_ms: int) -> list[Order]:
        with self._lock:
            return [
                o
                for o in self._orders
                if o.api_key == account.api_key
                and o.is_open
                and (symbol is None or o.symbol == symbol)
                and now_ms >= o.visible_from_ms
            ]

    def my_trades(self, *, account: Account, symbol: str, params: dict[str, str]) -> list[Trade]:
        order_id = params.get("orderId")
        with self._lock:
            trades = [
                t
                for t in self._trades
                if t.api_key == account.api_key
                and t.symbol == symbol
                and (order_id is None or str(t.order_id) == order_id)
            ]
        start, end = params.get("startTime"), params.get("endTime")
        if start and start.isdigit():
            trades = [t for t in trades if t.time_ms >= int(start)]
        if end and end.isdigit():
            trades = [t for t in trades if t.time_ms <= int(end)]
        limit = int(params["limit"]) if params.get("limit", "").isdigit() else 500
        return trades[-min(limit, 1000) :] if limit else []

    def orders(self, api_key: str | None = None) -> list[dict[str, Any]]:
        """Every order ever accepted (the book), optionally of one key, for the control endpoint."""
        with self._lock:
            return [
                o.as_book_entry() for o in self._orders if api_key is None or o.api_key == api_key
            ]

    def order_lists(self, api_key: str | None = None) -> list[dict[str, Any]]:
        """Every order list ever accepted, optionally of one key, for the control endpoint."""
        with self._lock:
            return [
                lst.as_book_entry()
                for lst in self._lists.values()
                if api_key is None or lst.api_key == api_key
            ]

    def reset(self) -> None:
        """Forget orders, order lists and trades (accounts and balances stay)."""
        with self._lock:
            self._orders.clear()
            self._trades.clear()
            self._lists.clear()
