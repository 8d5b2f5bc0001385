"""Protective orders through the real AccountTrader (ccxt against the exchange emulator, real
BTC/USDT 5m candles): a single STOP_LOSS_LIMIT and an OCO with a take-profit, created, looked up
and cancelled; a fill found by a lookup once the market clock passes a candle that touches the
stop; what a refusal and an unknown outcome raise."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from apps.exchanges.exchange_client import OrderNotFound, OutcomeUnknown, PermanentExchangeError
from apps.exchanges.services import exchange_account_create
from apps.exchanges.trading import AccountTrader, ProtectiveOrder
from emulator import ExchangeEmulator, load_candles_csv

from .conftest import API_KEY, SECRET

SYMBOL = "BTC/USDT"
AMOUNT = Decimal("0.01")
BAR = 300_000  # 5m in ms
CENT = Decimal("0.01")  # BTC/USDT's tick on the emulator


def _price(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(CENT)


@pytest.fixture(scope="module")
def drop(shared_data) -> dict[str, Decimal | int]:
    """A moment of the real data followed by a candle that falls well below the last close and
    stays under +3%: the clock (candle k closed), the price then, and the next candle."""
    candles = load_candles_csv(shared_data / "binance_BTC-USDT_5m.csv.gz")
    close, nxt = candles[:-1, 4], candles[1:]
    falls = (nxt[:, 3] < close * 0.997) & (nxt[:, 2] < close * 1.03) & (nxt[:, 1] > nxt[:, 3])
    k = int(np.flatnonzero(falls[100:])[0]) + 100
    return {
        "clock": int(candles[k, 0]) + BAR,
        "price": _price(close[k]),
        "open": _price(nxt[k, 1]),
        "low": _price(nxt[k, 3]),
    }


@pytest.fixture
def trader(emulator: ExchangeEmulator, user, drop) -> AccountTrader:
    emulator.clock_set(drop["clock"])
    account = exchange_account_create(
        owner=user, label="protected", exchange="binance", api_key=API_KEY, secret=SECRET
    )
    return AccountTrader(account)


def _stop(drop) -> Decimal:
    """Halfway between the price and the next candle's low: that candle touches it."""
    return ((drop["price"] + drop["low"]) / 2).quantize(CENT)


def _create(
    trader: AccountTrader, drop, *, with_target: bool, coid: str = "prot1", **kw
) -> ProtectiveOrder:
    stop = kw.pop("stop", _stop(drop))
    target = (drop["price"] * Decimal("1.05")).quantize(CENT)
    return trader.protective_order_create(
        market_symbol=SYMBOL,
        side="sell",
        amount=AMOUNT,
        stop_price=stop,
        stop_limit_price=kw.pop("stop_limit", stop - 100),
        target_price=target if with_target else None,
        target_limit_price=target - 10 if with_target else None,
        client_order_id=coid,
    )


def _lookup(trader: AccountTrader, coid: str = "prot1", *, with_target: bool) -> ProtectiveOrder:
    return trader.protective_by_client_id(
        market_symbol=SYMBOL, client_order_id=coid, with_target=with_target
    )


def _btc(emulator: ExchangeEmulator) -> tuple[Decimal, Decimal]:
    account = emulator.book.account(API_KEY)
    return account.free["BTC"], account.locked.get("BTC", Decimal(0))


@pytest.mark.django_db
@pytest.mark.parametrize("with_target", [False, True])
def test_a_protective_order_is_created_found_and_cancelled(
    emulator: ExchangeEmulator, trader: AccountTrader, drop, with_target: bool
) -> None:
    created = _create(trader, drop, with_target=with_target)
    assert (created.client_order_id, created.status, created.leg) == ("prot1", "open", "")
    assert created.amount == AMOUNT and created.filled == 0 and created.average is None
    assert not created.final and created.exchange_order_id
    assert _btc(emulator) == (1 - AMOUNT, AMOUNT)  # locked once, OCO or not
    found = _lookup(trader, with_target=with_target)
    assert found == created
    if with_target:  # the list's id, and its legs named after it
        (listed,) = emulator.book.order_lists(API_KEY)
        assert created.exchange_order_id == str(listed["orderListId"])
        legs = {r["clientOrderId"]: r["type"] for r in listed["orderReports"]}
        assert legs == {"prot1s": "STOP_LOSS_LIMIT", "prot1t": "TAKE_PROFIT_LIMIT"}
    trader.protective_cancel(market_symbol=SYMBOL, client_order_id="prot1", with_target=with_target)
    cancelled = _lookup(trader, with_target=with_target)
    assert cancelled.status == "canceled" and cancelled.final and cancelled.filled == 0
    assert _btc(emulator) == (Decimal(1), Decimal(0))


@pytest.mark.django_db
@pytest.mark.parametrize("with_target", [False, True])
def test_a_fill_is_discovered_by_a_lookup(
    emulator: ExchangeEmulator, trader: AccountTrader, drop, with_target: bool
) -> None:
    _create(trader, drop, with_target=with_target)
    emulator.clock_advance(1)  # the next candle falls through the stop
    filled = _lookup(trader, with_target=with_target)
    stop = _stop(drop)
    average = min(drop["open"], stop)  # the backtest's fill of a long's stop
    assert (filled.status, filled.leg, filled.final) == ("closed", "stop_loss", True)
    assert filled.filled == AMOUNT and filled.average == average
    assert filled.fee_quote == (average * AMOUNT * Decimal("0.001")).quantize(Decimal("1e-8"))
    assert filled.fee_base == 0
    with pytest.raises(PermanentExchangeError):  # too late: it filled
        trader.protective_cancel(
            market_symbol=SYMBOL, client_order_id="prot1", with_target=with_target
        )


@pytest.mark.django_db
def test_a_triggered_stop_resting_at_its_limit_is_open_on_its_leg(
    emulator: ExchangeEmulator, trader: AccountTrader, drop
) -> None:
    """The limit above the trigger price: triggered, not filled; the take-profit expired."""
    stop = _stop(drop)
    _create(trader, drop, with_target=True, stop_limit=drop["price"] + 200)
    emulator.clock_advance(1)
    resting = _lookup(trader, with_target=True)
    assert (resting.status, resting.leg, resting.filled) == ("open", "stop_loss", 0)
    assert not resting.final and stop < drop["price"]
    # Binance's list is done; the resting leg is cancelled as an order of its own
    trader.protective_cancel(market_symbol=SYMBOL, client_order_id="prot1", with_target=True)
    assert _lookup(trader, with_target=True).status == "canceled"
    assert _btc(emulator) == (Decimal(1), Decimal(0))


@pytest.mark.django_db
def test_a_list_that_does_not_exist_is_order_not_found(trader: AccountTrader) -> None:
    with pytest.raises(OrderNotFound):
        _lookup(trader, "nothing", with_target=True)
    with pytest.raises(OrderNotFound):
        _lookup(trader, "nothing", with_target=False)


@pytest.mark.django_db
def test_a_5xx_with_a_json_body_on_the_oco_send_is_unknown_and_the_list_is_found(
    emulator: ExchangeEmulator, trader: AccountTrader, drop
) -> None:
    emulator.inject("server_error", endpoint="orderList", status=503, body="json", accepted=True)
    with pytest.raises(OutcomeUnknown):
        _create(trader, drop, with_target=True)
    found = _lookup(trader, with_target=True)
    assert found.status == "open" and found.amount == AMOUNT
    assert len(emulator.book.order_lists(API_KEY)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("with_target", [False, True])
def test_a_stop_the_price_already_reached_is_refused(
    emulator: ExchangeEmulator, trader: AccountTrader, drop, with_target: bool
) -> None:
    with pytest.raises(PermanentExchangeError) as refused:
        _create(trader, drop, with_target=with_target, stop=drop["price"] + 1)
    assert not isinstance(refused.value, OutcomeUnknown)
    assert emulator.book.orders(API_KEY) == []
    assert _btc(emulator) == (Decimal(1), Decimal(0))
