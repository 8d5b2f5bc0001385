"""The emulator's trading book: API-key accounts with balances, orders, fills and own trades.

Binance spot semantics, not kinder ones: a client order id is unique among the account's OPEN
orders only (a filled order's id can be sent again and makes a second order); MARKET orders fill at
the current price; a LIMIT order that crosses the current price fills at once (taker), otherwise it
rests, its funds locked, until a closed candle reaches its price (maker, at the limit price).
Commission is charged on what the account receives, as Binance does without BNB.

No HTTP here: the server turns requests into these calls and the answers into Binance's JSON.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from .binance import ApiError

DEFAULT_COMMISSION = Decimal("0.001")  # 0.1% per fill, Binance's base spot rate
ZERO = Decimal(0)

OPEN, FILLED, CANCELED = "NEW", "FILLED", "CANCELED"


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

    def as_binance(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "id": self.trade_id,
            "orderId": self.order_id,
            "orderListId": -1,
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
    type: str  # MARKET | LIMIT
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

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def as_binance(self, full: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": -1,
            "clientOrderId": self.client_order_id,
            "price": _text(self.price or ZERO),
            "origQty": _text(self.quantity),
            "executedQty": _text(self.executed),
            "cummulativeQuoteQty": _text(self.quote_executed),
            "status": self.status,
            "timeInForce": self.time_in_force or "GTC",
            "type": self.type,
            "side": self.side,
            "stopPrice": _text(ZERO),
            "icebergQty": _text(ZERO),
            "time": self.time_ms,
            "updateTime": self.update_ms or self.time_ms,
            "isWorking": True,
            "workingTime": self.time_ms,
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


class TradingBook:
    """Accounts, orders and trades, thread-safe (the server answers from many threads)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._accounts: dict[str, Account] = {}
        self._orders: list[Order] = []
        self._trades: list[Trade] = []
        self._order_ids = itertools.count(1)
        self._trade_ids = itertools.count(1)

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
        """Validate and accept (or reject with Binance's error) a new MARKET or LIMIT order.
        `fill_fraction` (the partial_fill fault): a MARKET order fills only that part of its
        quantity and expires the rest, as Binance's does when the book runs dry."""
        symbol, base, quote = market
        side = params.get("side", "")
        kind = params.get("type", "")
        if side not in ("BUY", "SELL"):
            raise _error(
                -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed."
            )
        if kind not in ("MARKET", "LIMIT"):
            raise _error(-1116, "Invalid orderType.")
        quantity = decimal_param(params, "quantity")
        quote_qty = decimal_param(params, "quoteOrderQty")
        price = decimal_param(params, "price")
        if kind == "LIMIT":
            if quantity is None or price is None:
                raise _error(-1102, "Mandatory parameter 'quantity' or 'price' was not sent.")
            if params.get("timeInForce") not in ("GTC", "IOC", "FOK"):
                raise _error(-1102, "Mandatory parameter 'timeInForce' was not sent.")
        elif price is not None:
            raise _error(-1106, "Parameter 'price' sent when not required.")
        if price_now is None:
            raise _error(-2010, "Market is closed.")  # no candle closed yet on the clock
        if kind == "MARKET" and quantity is None:
            if quote_qty is None:
                raise _error(-1102, "Mandatory parameter 'quantity' was not sent.")
            quantity = (quote_qty / price_now).quantize(Decimal("0.00000001"))
        assert quantity is not None
        client_id = params.get("newClientOrderId") or f"emu_{uuid.uuid4().hex[:22]}"
        if len(client_id) > 36 or not all(c.isalnum() or c in "-_.:/" for c in client_id):
            raise _error(-1100, "Illegal characters found in parameter 'newClientOrderId'.")
        with self._lock:
            duplicate = any(
                o.is_open and o.api_key == account.api_key and o.client_order_id == client_id
                for o in self._orders
            )
            if duplicate:  # Binance refuses a client id only while its order is open
                raise _error(-2010, "Duplicate order sent.")
            crosses = kind == "MARKET" or (
                price is not None and (price >= price_now if side == "BUY" else price <= price_now)
            )
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
                time_in_force=params.get("timeInForce") if kind == "LIMIT" else None,
                time_ms=now_ms,
                visible_from_ms=visible_from_ms,
            )
            self._orders.append(order)
            if crosses and kind == "MARKET" and fill_fraction is not None:
                part = (quantity * fill_fraction).quantize(Decimal("0.00001"), ROUND_DOWN)
                self._fill(account, order, fill_price, now_ms, maker=False, quantity=part)
                order.status = "EXPIRED"
            elif crosses:
                self._fill(account, order, fill_price, now_ms, maker=False)
            elif order.time_in_force in ("IOC", "FOK"):
                order.status, order.update_ms = "EXPIRED", now_ms
            else:  # resting: lock what it will pay
                account.add(account.free, pay, -needed)
                account.add(account.locked, pay, needed)
            return order

    def _fill(
        self,
        account: Account,
        order: Order,
        price: Decimal,
        now_ms: int,
        maker: bool,
        quantity: Decimal | None = None,
    ) -> None:
        quantity = order.quantity if quantity is None else quantity
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
        )
        order.fills.append(trade)
        self._trades.append(trade)
        order.status, order.executed, order.quote_executed = FILLED, quantity, gross
        order.update_ms = now_ms

    def candle_closed(
        self, *, symbol: str, high: Decimal, low: Decimal, close_ms: int
    ) -> list[Order]:
        """Fill the resting LIMIT orders of `symbol` that this closed candle reaches."""
        filled = []
        with self._lock:
            for order in self._orders:
                if not (order.is_open and order.symbol == symbol and order.price is not None):
                    continue
                reached = low <= order.price if order.side == "BUY" else high >= order.price
                if not reached:
                    continue
                account = self._accounts[order.api_key]
                self._unlock(account, order)
                self._fill(account, order, order.price, close_ms, maker=True)
                filled.append(order)
        return filled

    def _unlock(self, account: Account, order: Order) -> None:
        assert order.price is not None
        asset = order.quote if order.side == "BUY" else order.base
        amount = order.quantity * order.price if order.side == "BUY" else order.quantity
        account.add(account.locked, asset, -amount)
        account.add(account.free, asset, amount)

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
        with self._lock:
            if not order.is_open:
                raise _error(-2011, "Unknown order sent.")
            self._unlock(account, order)
            order.status, order.update_ms = CANCELED, now_ms
            return order

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

    def reset(self) -> None:
        """Forget orders and trades (accounts and balances stay)."""
        with self._lock:
            self._orders.clear()
            self._trades.clear()
