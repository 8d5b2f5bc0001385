"""Orders on an exchange account, through ccxt, for the live bots (apps/execution never imports
ccxt: it calls this module and catches exchange_client's exceptions).

Quantities go out as `Decimal` rounded by ccxt's own precision helper (`amount_to_precision`,
truncating to the market's lot step); answers come back as `ExchangeOrder` with Decimals. The
client order id travels as Binance's `newClientOrderId`, and orders are looked up by it
(`origClientOrderId`), so an order whose answer was lost can be found without resending it.
Credentials never leave `clients.exchange_account_client`.

Creating and cancelling go through `ExchangeClient.send`: only a definite refusal raises a
permanent error; anything else (a 5xx whatever its body, a timeout, a reset connection, an answer
that cannot be read) raises `OutcomeUnknown` and the order is looked up by its client id.

Protective orders (a position's stop-loss, and its take-profit) rest on the exchange: one
STOP_LOSS_LIMIT order, or an OCO list (Binance's orderList/oco) of a STOP_LOSS_LIMIT leg and a
TAKE_PROFIT_LIMIT leg, answered as a `ProtectiveOrder` (docs/exchanges.md, "Protective orders").
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from .clients import exchange_account_client
from .exchange_client import ExchangeClient, ExchangeError, OutcomeUnknown, PermanentExchangeError
from .models import ExchangeAccount

FINAL_STATUSES = ("closed", "canceled", "rejected", "expired")
PROTECTIVE_FINAL_STATUSES = ("closed", "canceled", "rejected")
STOP_LOSS, TAKE_PROFIT = "stop_loss", "take_profit"  # a protective order's legs
# An OCO's legs are named after the list: its client id plus one letter.
LEG_SUFFIXES = {STOP_LOSS: "s", TAKE_PROFIT: "t"}
LEG_TYPES = {"STOP_LOSS_LIMIT": STOP_LOSS, "TAKE_PROFIT_LIMIT": TAKE_PROFIT}
MARKETS_TTL_S = 600.0  # a process reuses an exchange's markets this long (load_markets is heavy)
_markets_cache: dict[str, tuple[float, Any, Any]] = {}


def _dec(value: Any) -> Decimal:
    return Decimal("0") if value in (None, "") else Decimal(str(value))


@dataclass(frozen=True)
class ExchangeOrder:
    """An order as the exchange reports it. `fee_base`/`fee_quote`: commission paid in each
    asset of the market (Binance takes it from what the account receives)."""

    exchange_order_id: str
    client_order_id: str
    status: str  # ccxt's: open, closed, canceled, rejected, expired
    amount: Decimal
    filled: Decimal
    average: Decimal | None
    fee_base: Decimal
    fee_quote: Decimal

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class ProtectiveOrder:
    """A protective order as the exchange reports it: one stop-loss order, or an OCO of a
    stop-loss leg and a take-profit leg. `status`: "open" (nothing filled yet, or partly filled
    and still resting), "closed" (a leg filled fully), "canceled" (cancelled or expired, with or
    without a partial fill), "rejected". `leg`: the leg that filled, or that triggered (its limit
    resting; an OCO's other leg expired), or "" while none did."""

    client_order_id: str  # the list's (OCO) or the single stop order's client id
    exchange_order_id: str  # orderListId for an OCO, orderId for a single stop
    status: str
    leg: str
    amount: Decimal
    filled: Decimal
    average: Decimal | None
    fee_base: Decimal
    fee_quote: Decimal
    filled_at_ms: int | None = None  # the filled leg's last trade (its last update), epoch ms

    @property
    def final(self) -> bool:
        return self.status in PROTECTIVE_FINAL_STATUSES


class AccountTrader:
    """One exchange account's trading calls, errors translated to exchange_client's types."""

    def __init__(self, account: ExchangeAccount, *, timeout_ms: int | None = None):
        self._ccxt = exchange_account_client(account=account, timeout_ms=timeout_ms)
        self._client = ExchangeClient(self._ccxt)
        self._markets_loaded = False
        self.key: tuple = ()

    def _market(self, market_symbol: str) -> dict[str, Any]:
        if not self._markets_loaded:
            key = f"{self._ccxt.id} {self._ccxt.urls.get('api')}"
            cached = _markets_cache.get(key)
            if cached and time.monotonic() - cached[0] < MARKETS_TTL_S:
                self._ccxt.set_markets(cached[1], cached[2])
            else:
                self._client.load_markets()
                _markets_cache[key] = (time.monotonic(), self._ccxt.markets, self._ccxt.currencies)
            self._markets_loaded = True
        return self._client.market(market_symbol)

    def amount_to_precision(self, market_symbol: str, amount: Decimal) -> Decimal:
        """`amount` truncated to the market's lot step (ccxt's helper), as a Decimal."""
        self._market(market_symbol)
        with self._client.errors_translated():
            return Decimal(self._ccxt.amount_to_precision(market_symbol, str(amount)))

    def min_amount(self, market_symbol: str) -> Decimal:
        limits = (self._market(market_symbol).get("limits") or {}).get("amount") or {}
        return _dec(limits.get("min"))

    def min_cost(self, market_symbol: str) -> Decimal:
        """The smallest order value the market takes, in its quote (Binance's NOTIONAL filter)."""
        limits = (self._market(market_symbol).get("limits") or {}).get("cost") or {}
        return _dec(limits.get("min"))

    def lot_step(self, market_symbol: str) -> Decimal:
        """The smallest quantity increment of the market (its LOT_SIZE step)."""
        return self._client.lot_step(self._market(market_symbol))

    def market_order_create(
        self, *, market_symbol: str, side: str, amount: Decimal, client_order_id: str
    ) -> ExchangeOrder:
        """A market order of `amount` base units (already rounded), named `client_order_id`."""
        market = self._market(market_symbol)
        answer = self._client.send(
            "create_order",
            market_symbol,
            "market",
            side,
            str(amount),
            None,
            {"newClientOrderId": client_order_id, "newOrderRespType": "FULL"},
        )
        return self._answer_read(market, answer, client_order_id)

    def order_by_client_id(self, *, market_symbol: str, client_order_id: str) -> ExchangeOrder:
        """The order named `client_order_id` (origClientOrderId); OrderNotFound if the exchange
        says it does not exist (which Binance also says for a while after accepting one)."""
        market = self._market(market_symbol)
        answer = self._client.call(
            "fetch_order", "", market_symbol, {"origClientOrderId": client_order_id}
        )
        return self._order(market, answer, client_order_id)

    def order_cancel(self, *, market_symbol: str, client_order_id: str) -> None:
        """Ask the exchange to cancel the order; a refusal (e.g. it filled meanwhile) or an
        unknown outcome is settled by the next lookup."""
        self._market(market_symbol)
        self._client.send("cancel_order", "", market_symbol, {"origClientOrderId": client_order_id})

    def _answer_read(self, market: dict[str, Any], answer: Any, coid: str) -> ExchangeOrder:
        """The answer to a send, or OutcomeUnknown when it cannot be read (the order may exist)."""
        return self._readable(lambda: self._order(market, answer, coid))

    def _readable(self, read: Any) -> Any:
        """`read()`, the reading of a send's answer; OutcomeUnknown when it fails."""
        try:
            return read()
        except OutcomeUnknown:
            raise
        except Exception as error:  # an answer we cannot read is no answer
            raise OutcomeUnknown(
                f"the answer could not be read: {type(error).__name__}: {error}",
                exchange=self._ccxt.id,
                kind=type(error).__name__,
            ) from error

    def price_to_precision(self, market_symbol: str, price: Decimal) -> str:
        """`price` rounded to the market's tick (ccxt's helper), as the exchange wants it."""
        self._market(market_symbol)
        with self._client.errors_translated():
            return self._ccxt.price_to_precision(market_symbol, str(price))

    def protective_order_create(
        self,
        *,
        market_symbol: str,
        side: str,
        amount: Decimal,
        stop_price: Decimal,
        stop_limit_price: Decimal,
        target_price: Decimal | None,
        target_limit_price: Decimal | None,
        client_order_id: str,
    ) -> ProtectiveOrder:
        """Without a target: one STOP_LOSS_LIMIT GTC order named `client_order_id`. With one: an
        OCO list named `client_order_id`, its legs `client_order_id` + "s" (the stop-loss) and +
        "t" (the TAKE_PROFIT_LIMIT at `target_price`, limit `target_limit_price`, default the
        target). `side` closes the position ("sell" for a long). Prices are rounded to the tick
        here; `amount` was rounded by the caller. Binance refuses a stop the price already
        reached (PermanentExchangeError); anything not definitely refused is OutcomeUnknown."""
        market = self._market(market_symbol)
        stop = self.price_to_precision(market_symbol, stop_price)
        stop_limit = self.price_to_precision(market_symbol, stop_limit_price)
        if target_price is None:
            answer = self._client.send(
                "create_order",
                market_symbol,
                "STOP_LOSS_LIMIT",
                side,
                str(amount),
                stop_limit,
                {"stopPrice": stop, "timeInForce": "GTC", "newClientOrderId": client_order_id},
            )
            return self._readable(
                lambda: self._protective(market, [answer], client_order_id, answer["id"])
            )
        target = self.price_to_precision(market_symbol, target_price)
        target_limit = self.price_to_precision(market_symbol, target_limit_price or target_price)
        stop_leg = {
            "Type": "STOP_LOSS_LIMIT",
            "Price": stop_limit,
            "StopPrice": stop,
            "TimeInForce": "GTC",
            "ClientOrderId": client_order_id + LEG_SUFFIXES[STOP_LOSS],
        }
        target_leg = {
            "Type": "TAKE_PROFIT_LIMIT",
            "Price": target_limit,
            "StopPrice": target,
            "TimeInForce": "GTC",
            "ClientOrderId": client_order_id + LEG_SUFFIXES[TAKE_PROFIT],
        }
        # A sell's take-profit is above the price and its stop below; a buy's the other way.
        above, below = (target_leg, stop_leg) if side == "sell" else (stop_leg, target_leg)
        answer = self._client.send(
            "privatePostOrderListOco",
            {
                "symbol": market["id"],
                "side": side.upper(),
                "quantity": format(amount, "f"),
                "listClientOrderId": client_order_id,
                **{f"above{name}": value for name, value in above.items()},
                **{f"below{name}": value for name, value in below.items()},
            },
        )

        def read() -> ProtectiveOrder:
            legs = [self._ccxt.parse_order(r, market) for r in answer["orderReports"]]
            return self._protective(market, legs, client_order_id, answer["orderListId"])

        return self._readable(read)

    def protective_by_client_id(
        self, *, market_symbol: str, client_order_id: str, with_target: bool
    ) -> ProtectiveOrder:
        """The protective order as the exchange has it now (an OCO: the list, then each leg's
        order, fees from the legs' trades). OrderNotFound if the exchange says it does not exist
        (which Binance also says for a while after accepting one)."""
        market = self._market(market_symbol)
        if not with_target:
            answer = self._client.call(
                "fetch_order", "", market_symbol, {"origClientOrderId": client_order_id}
            )
            return self._protective(market, [answer], client_order_id, answer.get("id"))
        listed = self._client.call("privateGetOrderList", {"origClientOrderId": client_order_id})
        legs = [
            self._client.call("fetch_order", str(leg["orderId"]), market_symbol)
            for leg in listed.get("orders") or []
        ]
        return self._protective(
            market,
            legs,
            listed.get("listClientOrderId") or client_order_id,
            listed.get("orderListId"),
        )

    def protective_cancel(
        self, *, market_symbol: str, client_order_id: str, with_target: bool
    ) -> None:
        """Cancel it: the stop order, or the OCO list (both legs). A refusal (it filled
        meanwhile) raises PermanentExchangeError/OrderNotFound as order_cancel does; the caller
        settles by a lookup. An OCO whose stop leg triggered and rests below its limit is done
        as a list (Binance refuses to cancel it): that leg is cancelled as an order."""
        market = self._market(market_symbol)
        if not with_target:
            self._client.send(
                "cancel_order", "", market_symbol, {"origClientOrderId": client_order_id}
            )
            return
        try:
            self._client.send(
                "privateDeleteOrderList",
                {"symbol": market["id"], "listClientOrderId": client_order_id},
            )
        except PermanentExchangeError:
            try:
                current = self.protective_by_client_id(
                    market_symbol=market_symbol, client_order_id=client_order_id, with_target=True
                )
            except ExchangeError:
                current = None
            if current is None or current.status != "open" or not current.leg:
                raise
            leg_id = client_order_id + LEG_SUFFIXES[current.leg]
            self._client.send("cancel_order", "", market_symbol, {"origClientOrderId": leg_id})

    def _protective(
        self, market: dict[str, Any], legs: list[dict[str, Any]], coid: str, exchange_id: Any
    ) -> ProtectiveOrder:
        """One protective order from its orders (ccxt's, `info` Binance's): the single stop, or
        an OCO's two legs (only one of which can fill: the other expires)."""
        states = []
        times = {}
        for leg in legs:
            info = leg.get("info") or {}
            kind = str(info.get("type") or "").upper()
            name = LEG_TYPES.get(kind, TAKE_PROFIT)  # a LIMIT_MAKER target too
            triggered = kind in LEG_TYPES and info.get("isWorking") in (True, "true")
            states.append(
                (name, triggered, self._order(market, leg, leg.get("clientOrderId") or ""))
            )
            at = leg.get("lastTradeTimestamp") or leg.get("lastUpdateTimestamp")
            times[name] = int(at or info.get("updateTime") or 0) or None
        statuses = {order.status for _, _, order in states}
        if "closed" in statuses:
            status = "closed"
        elif statuses & {"canceled", "expired", "rejected"} == statuses and statuses:
            status = "rejected" if statuses == {"rejected"} else "canceled"
        else:  # open, or anything unforeseen (e.g. "canceling"): not final
            status = "open"
        acted = [s for s in states if s[2].filled > 0] or [s for s in states if s[1]]
        done = acted[0][2] if acted else None
        return ProtectiveOrder(
            client_order_id=coid,
            exchange_order_id=str(exchange_id if exchange_id is not None else ""),
            status=status,
            leg=acted[0][0] if acted else "",
            amount=max((order.amount for _, _, order in states), default=Decimal(0)),
            filled=sum((order.filled for _, _, order in states), Decimal(0)),
            average=done.average if done is not None and done.filled > 0 else None,
            fee_base=sum((order.fee_base for _, _, order in states), Decimal(0)),
            fee_quote=sum((order.fee_quote for _, _, order in states), Decimal(0)),
            filled_at_ms=times.get(acted[0][0]) if done is not None and done.filled > 0 else None,
        )

    def balance_total(self, asset: str) -> Decimal:
        return self.balances_total().get(asset, Decimal(0))

    def balances_total(self) -> dict[str, Decimal]:
        """Every asset the account holds (free + locked): one balance read (Binance weight 20)."""
        balance = self._client.call("fetch_balance")
        return {
            asset: _dec(amount)
            for asset, amount in (balance.get("total") or {}).items()
            if amount not in (None, "")
        }

    def _order(self, market: dict[str, Any], answer: dict[str, Any], coid: str) -> ExchangeOrder:
        fees = answer.get("fees") or ([answer["fee"]] if answer.get("fee") else [])
        filled = _dec(answer.get("filled"))
        if filled and not fees:  # a lookup carries no fills: the order's trades have them
            trades = self._client.call(
                "fetch_my_trades", market["symbol"], None, None, {"orderId": answer["id"]}
            )
            fees = [t["fee"] for t in trades if t.get("fee")]
        fee_base = sum(
            (_dec(f.get("cost")) for f in fees if f.get("currency") == market["base"]),
            Decimal(0),
        )
        fee_quote = sum(
            (_dec(f.get("cost")) for f in fees if f.get("currency") == market["quote"]),
            Decimal(0),
        )
        average = answer.get("average")
        return ExchangeOrder(
            exchange_order_id=str(answer.get("id") or ""),
            client_order_id=answer.get("clientOrderId") or coid,
            status=answer.get("status") or "open",
            amount=_dec(answer.get("amount")),
            filled=filled,
            average=None if average is None else _dec(average),
            fee_base=fee_base,
            fee_quote=fee_quote,
        )


_traders = threading.local()  # ccxt clients are costly to build and not shared across threads


def account_trader(*, account_id: int, timeout_ms: int | None = None) -> AccountTrader:
    """The trader of an account, loaded by id (tasks pass ids, never credentials). Reused by
    the thread while the account (its credentials) and the API hosts are unchanged."""
    account = ExchangeAccount.objects.get(pk=account_id)
    key = (account.pk, account.updated_at, repr(settings.EXCHANGE_API_HOSTS), timeout_ms)
    cache = getattr(_traders, "by_account", None)
    if cache is None:
        cache = _traders.by_account = {}
    trader = cache.get(account.pk)
    if trader is None or trader.key != key:
        trader = AccountTrader(account, timeout_ms=timeout_ms)
        trader.key = key
        cache[account.pk] = trader
    return trader
