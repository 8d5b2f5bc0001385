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
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from .clients import exchange_account_client
from .exchange_client import ExchangeClient, OutcomeUnknown
from .models import ExchangeAccount

FINAL_STATUSES = ("closed", "canceled", "rejected", "expired")
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
        try:
            return self._order(market, answer, coid)
        except OutcomeUnknown:
            raise
        except Exception as error:  # an answer we cannot read is no answer
            raise OutcomeUnknown(
                f"the answer could not be read: {type(error).__name__}: {error}",
                exchange=self._ccxt.id,
                kind=type(error).__name__,
            ) from error

    def balance_total(self, asset: str) -> Decimal:
        balance = self._client.call("fetch_balance")
        return _dec((balance.get(asset) or {}).get("total"))

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
