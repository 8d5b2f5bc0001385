"""Protective orders on the emulator, through ccxt's unmodified `binance` class: STOP_LOSS_LIMIT
and TAKE_PROFIT_LIMIT orders, OCO lists (POST /api/v3/orderList/oco), their triggers and fills on
the market clock's candles, lookups and cancels, locked balances, and every order fault on a
protective send.

The candles are made up (ETH/USDT 5m around 100, added next to the module's BTC/USDT): twelve
closed at the clock (the price now is 100), then the ones each test needs, so gaps and touches
are exact.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import ccxt
import numpy as np
import pytest

from emulator import ExchangeEmulator

from .helpers import binance_client

FIVE_MIN = 300_000
START = 1_704_067_200_000  # 2024-01-01T00:00Z
CLOCK = START + 12 * FIVE_MIN  # twelve made-up candles closed: the price now is their close, 100
SECRET = "emu-Protect-7c6b5a4d3e2f"
SYMBOL, MARKET_ID = "ETH/USDT", "ETHUSDT"
CALM = (100.0, 100.25, 99.75, 100.0)  # a candle that reaches no order of these tests
_keys = itertools.count(1)


def _future(emu: ExchangeEmulator, *rows: tuple[float, float, float, float]) -> None:
    """ETH/USDT: twelve calm candles closed at the clock, then `rows` (open, high, low, close)."""
    candles = [CALM] * 12 + list(rows or [CALM])
    emu.add_market(
        SYMBOL,
        "5m",
        np.array(
            [[START + i * FIVE_MIN, *row, 1.23456] for i, row in enumerate(candles)],
            dtype=np.float64,
        ),
    )


@pytest.fixture
def emulator(module_emulator: ExchangeEmulator) -> Iterator[ExchangeEmulator]:
    module_emulator.reset()
    module_emulator.clock_set(CLOCK)
    _future(module_emulator)
    yield module_emulator
    module_emulator.reset()


@pytest.fixture
def api_key(emulator: ExchangeEmulator) -> str:
    key = f"prot{next(_keys):04d}"
    emulator.account_create(key, SECRET, {"ETH": "10", "USDT": "10000"})
    return key


@pytest.fixture
def client(emulator: ExchangeEmulator, api_key: str) -> ccxt.binance:
    client = binance_client(emulator.url, api_key=api_key, secret=SECRET)
    client.load_markets()
    return client


def _stop(client: ccxt.binance, cid: str, **kw: Any) -> dict[str, Any]:
    """A sell STOP_LOSS_LIMIT of 1 ETH, stop 95, limit 94 (unless told otherwise)."""
    kind, side = kw.pop("kind", "STOP_LOSS_LIMIT"), kw.pop("side", "sell")
    amount, price = kw.pop("amount", 1), kw.pop("price", 94)
    params = {"stopPrice": kw.pop("stop", 95), "newClientOrderId": cid, **kw}
    return client.create_order(SYMBOL, kind, side, amount, price, params)


def _oco(client: ccxt.binance, cid: str, **kw: Any) -> dict[str, Any]:
    """A sell OCO of 1 ETH: take profit at 106 (limit 105.5) above, stop 95 (limit 94) below."""
    params = {
        "symbol": MARKET_ID,
        "side": "SELL",
        "quantity": "1",
        "listClientOrderId": cid,
        "aboveType": "TAKE_PROFIT_LIMIT",
        "abovePrice": "105.5",
        "aboveStopPrice": "106",
        "aboveTimeInForce": "GTC",
        "aboveClientOrderId": cid + "t",
        "belowType": "STOP_LOSS_LIMIT",
        "belowPrice": "94",
        "belowStopPrice": "95",
        "belowTimeInForce": "GTC",
        "belowClientOrderId": cid + "s",
    }
    return client.privatePostOrderListOco({**params, **kw})


def _order(client: ccxt.binance, cid: str) -> dict[str, Any]:
    return client.fetch_order(None, SYMBOL, params={"origClientOrderId": cid})


def _list(client: ccxt.binance, cid: str) -> dict[str, Any]:
    return client.privateGetOrderList({"origClientOrderId": cid})


def _balance(client: ccxt.binance) -> dict[str, tuple[Decimal, Decimal]]:
    raw = client.fetch_balance()["info"]["balances"]
    return {b["asset"]: (Decimal(b["free"]), Decimal(b["locked"])) for b in raw}


def _control(emu: ExchangeEmulator, method: str, action: str, payload: Any = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(f"{emu.url}/__emulator__/{action}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


# -- single stop orders ----------------------------------------------------------------------


def test_a_stop_order_waits_untriggered_with_its_base_locked(client: ccxt.binance) -> None:
    order = _stop(client, "s1")
    assert order["status"] == "open" and order["clientOrderId"] == "s1"
    assert order["info"]["type"] == "STOP_LOSS_LIMIT" and order["triggerPrice"] == 95
    assert order["info"]["isWorking"] is False and order["info"]["workingTime"] == -1
    assert order["info"]["timeInForce"] == "GTC"
    assert _balance(client)["ETH"] == (Decimal(9), Decimal(1))
    looked_up = _order(client, "s1")
    assert looked_up["status"] == "open" and looked_up["info"]["stopPrice"] == "95.00000000"
    assert [o["clientOrderId"] for o in client.fetch_open_orders(SYMBOL)] == ["s1"]


def test_a_stop_order_that_would_trigger_at_once_is_refused(client: ccxt.binance) -> None:
    cases = [
        ("STOP_LOSS_LIMIT", "sell", 100, 99),  # sell stop at or above the price
        ("TAKE_PROFIT_LIMIT", "sell", 100, 99),  # sell target at or below it
        ("STOP_LOSS_LIMIT", "buy", 99.5, 100),  # buy stop at or below it
        ("TAKE_PROFIT_LIMIT", "buy", 100.5, 101),  # buy target at or above it
    ]
    for kind, side, stop, price in cases:
        with pytest.raises(ccxt.InvalidOrder, match="Stop price would trigger immediately"):
            _stop(client, "x1", kind=kind, side=side, stop=stop, price=price)
    assert client.fetch_open_orders(SYMBOL) == []
    assert _balance(client)["ETH"] == (Decimal(10), Decimal(0))


def test_a_stop_order_needs_its_stop_price_and_gtc(client: ccxt.binance) -> None:
    with pytest.raises(ccxt.BadRequest, match="stopPrice"):
        client.privatePostOrder(
            {
                "symbol": MARKET_ID,
                "side": "SELL",
                "type": "STOP_LOSS_LIMIT",
                "quantity": "1",
                "price": "94",
                "timeInForce": "GTC",
            }
        )
    with pytest.raises(ccxt.BaseError, match="-1115"):
        _stop(client, "x2", timeInForce="IOC")


def test_a_touching_candle_fills_the_stop_at_its_stop_price(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    _future(emulator, (99.0, 99.5, 94.5, 96.0))  # opens above the stop, its low reaches it
    order = _stop(client, "s1")
    answer = _control(emulator, "POST", "clock", {"advance": 1})
    assert [o["clientOrderId"] for o in answer["filled"]] == ["s1"]
    filled = _order(client, "s1")
    assert filled["status"] == "closed" and filled["average"] == 95 and filled["filled"] == 1
    assert filled["info"]["isWorking"] is True
    (trade,) = client.fetch_my_trades(SYMBOL)
    assert trade["order"] == order["id"] and trade["takerOrMaker"] == "taker"
    assert trade["fee"] == {"currency": "USDT", "cost": 0.095}  # 0.1% of 95 USDT
    balance = _balance(client)
    assert balance["ETH"] == (Decimal(9), Decimal(0))
    assert balance["USDT"] == (Decimal("10094.905"), Decimal(0))


def test_a_gap_through_the_stop_fills_at_the_open(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    _future(emulator, (94.5, 95.5, 94.2, 95.0))  # opens below the stop, above the limit
    _stop(client, "s1")
    emulator.clock_advance(1)
    filled = _order(client, "s1")
    assert filled["status"] == "closed" and filled["average"] == 94.5


def test_a_gap_below_the_limit_rests_until_a_later_candle_reaches_it(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    _future(
        emulator,
        (93.0, 93.5, 92.0, 93.0),  # opens below the limit: triggered, not filled
        (93.0, 93.9, 92.5, 93.5),  # below the limit still
        (93.5, 94.2, 93.0, 94.0),  # reaches 94
    )
    _stop(client, "s1")
    emulator.clock_advance(1)
    resting = _order(client, "s1")
    assert resting["status"] == "open" and resting["filled"] == 0
    assert resting["info"]["isWorking"] is True and resting["info"]["workingTime"] > 0
    assert _balance(client)["ETH"] == (Decimal(9), Decimal(1))
    emulator.clock_advance(1)
    assert _order(client, "s1")["status"] == "open"
    emulator.clock_advance(1)
    filled = _order(client, "s1")
    assert filled["status"] == "closed" and filled["average"] == 94
    assert client.fetch_my_trades(SYMBOL)[-1]["takerOrMaker"] == "maker"
    assert _balance(client)["ETH"] == (Decimal(9), Decimal(0))


def test_a_sell_take_profit_fills_at_the_higher_of_open_and_target(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    _future(emulator, (100.0, 106.5, 99.8, 106.0), (107.0, 108.0, 106.5, 107.5))
    _stop(client, "t1", kind="TAKE_PROFIT_LIMIT", stop=106, price=105.5)
    _stop(client, "t2", kind="TAKE_PROFIT_LIMIT", stop=106.8, price=106.5)
    emulator.clock_advance(2)
    assert _order(client, "t1")["average"] == 106  # reached within the candle
    assert _order(client, "t2")["average"] == 107  # the second candle opens above: at its open


def test_buy_stops_mirror_sell_stops(emulator: ExchangeEmulator, client: ccxt.binance) -> None:
    _future(emulator, (101.0, 105.5, 100.5, 105.0))
    _stop(client, "b1", side="buy", stop=105, price=106)
    _stop(client, "b2", kind="TAKE_PROFIT_LIMIT", side="buy", stop=99, price=99.5)
    assert _balance(client)["USDT"] == (
        Decimal(10000) - Decimal(106) - Decimal("99.5"),
        Decimal(106) + Decimal("99.5"),  # a buy locks quantity x its limit price
    )
    emulator.clock_advance(1)
    bought = _order(client, "b1")
    assert bought["status"] == "closed" and bought["average"] == 105
    assert _order(client, "b2")["status"] == "open"  # the low never fell to 99
    assert _balance(client)["USDT"] == (
        Decimal(10000) - Decimal(105) - Decimal("99.5"),
        Decimal("99.5"),
    )


def test_a_stop_order_cancels_and_releases_its_lock(client: ccxt.binance) -> None:
    order = _stop(client, "s1")
    canceled = client.cancel_order(None, SYMBOL, params={"origClientOrderId": "s1"})
    assert canceled["status"] == "canceled" and canceled["id"] == order["id"]
    assert _balance(client)["ETH"] == (Decimal(10), Decimal(0))
    with pytest.raises(ccxt.BaseError, match="-2011"):
        client.cancel_order(order["id"], SYMBOL)
    _stop(client, "s1")  # the id is free again once its order is done


# -- OCO lists -------------------------------------------------------------------------------


def test_an_oco_answers_as_binance_and_locks_its_quantity_once(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    answer = _oco(client, "L1")
    assert answer["contingencyType"] == "OCO" and answer["listClientOrderId"] == "L1"
    assert (answer["listStatusType"], answer["listOrderStatus"]) == ("EXEC_STARTED", "EXECUTING")
    assert answer["symbol"] == MARKET_ID and isinstance(answer["transactionTime"], int)
    reports = {r["clientOrderId"]: r for r in answer["orderReports"]}
    assert [o["clientOrderId"] for o in answer["orders"]] == ["L1s", "L1t"]
    assert reports["L1s"]["type"] == "STOP_LOSS_LIMIT" and reports["L1s"]["stopPrice"] == (
        "95.00000000"
    )
    assert reports["L1t"]["type"] == "TAKE_PROFIT_LIMIT" and reports["L1t"]["status"] == "NEW"
    assert all(r["orderListId"] == answer["orderListId"] for r in reports.values())
    assert _balance(client)["ETH"] == (Decimal(9), Decimal(1))
    # each leg is an ordinary order too
    leg = _order(client, "L1t")
    assert leg["status"] == "open" and leg["info"]["orderListId"] == answer["orderListId"]
    by_id = client.fetch_order(str(reports["L1s"]["orderId"]), SYMBOL)
    assert by_id["clientOrderId"] == "L1s" and by_id["info"]["isWorking"] is False
    # the list by its client id and by its id, and among the open lists
    assert _list(client, "L1")["orderListId"] == answer["orderListId"]
    by_list_id = client.privateGetOrderList({"orderListId": answer["orderListId"]})
    assert by_list_id["listClientOrderId"] == "L1" and "orderReports" not in by_list_id
    (open_list,) = client.privateGetOpenOrderList()
    assert open_list["listClientOrderId"] == "L1"
    (booked,) = _control(emulator, "GET", "orderLists")
    assert booked["orderListId"] == answer["orderListId"]
    legs = [o for o in _control(emulator, "GET", "orders") if o["orderListId"] != -1]
    assert {(o["type"], o["stopPrice"]) for o in legs} == {
        ("STOP_LOSS_LIMIT", "95.00000000"),
        ("TAKE_PROFIT_LIMIT", "106.00000000"),
    }


def test_an_unknown_order_list_does_not_exist(client: ccxt.binance) -> None:
    with pytest.raises(ccxt.OrderNotFound, match="Order list does not exist"):
        _list(client, "nope")
    with pytest.raises(ccxt.BaseError, match="-2011"):
        client.privateDeleteOrderList({"symbol": MARKET_ID, "listClientOrderId": "nope"})


def test_an_oco_refuses_prices_on_the_wrong_side_of_the_market(client: ccxt.binance) -> None:
    for change in ({"belowStopPrice": "100.25"}, {"aboveStopPrice": "99.5"}):
        with pytest.raises(ccxt.InvalidOrder, match="relationship of the prices"):
            _oco(client, "L1", **change)
    with pytest.raises(ccxt.BadRequest, match="Invalid orderType"):
        _oco(client, "L1", belowType="TAKE_PROFIT_LIMIT")
    assert _balance(client)["ETH"] == (Decimal(10), Decimal(0))


def test_a_client_id_is_unique_among_open_orders_and_lists(client: ccxt.binance) -> None:
    _oco(client, "L1")
    for cid, legs in (("L1", {}), ("L2", {"belowClientOrderId": "L1s"})):
        with pytest.raises(ccxt.InvalidOrder, match="Duplicate order sent"):
            _oco(client, cid, **legs)
    with pytest.raises(ccxt.InvalidOrder, match="Duplicate order sent"):
        _stop(client, "L1t", stop=94, price=93)


def test_the_stop_leg_fills_and_the_target_leg_expires(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    _future(emulator, (99.0, 99.5, 94.5, 96.0))
    _oco(client, "L1")
    answer = _control(emulator, "POST", "clock", {"advance": 1})
    assert [o["clientOrderId"] for o in answer["filled"]] == ["L1s"]
    listed = _list(client, "L1")
    assert (listed["listStatusType"], listed["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
    stop, target = _order(client, "L1s"), _order(client, "L1t")
    assert stop["status"] == "closed" and stop["average"] == 95
    assert target["status"] == "expired" and target["filled"] == 0
    (trade,) = client.fetch_my_trades(SYMBOL)
    assert trade["order"] == stop["id"] and trade["info"]["orderListId"] == listed["orderListId"]
    assert trade["fee"] == {"currency": "USDT", "cost": 0.095}
    assert _balance(client)["ETH"] == (Decimal(9), Decimal(0))
    assert client.privateGetOpenOrderList() == []


def test_the_target_leg_fills_and_the_stop_leg_expires(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    _future(emulator, (101.0, 107.0, 100.5, 106.5))
    _oco(client, "L1")
    emulator.clock_advance(1)
    assert _order(client, "L1t")["average"] == 106
    assert _order(client, "L1s")["status"] == "expired"
    assert _balance(client)["USDT"] == (Decimal("10105.894"), Decimal(0))  # 106 - 0.106


def test_a_candle_touching_both_legs_fills_the_stop(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    _future(emulator, (100.0, 107.0, 94.0, 100.0))
    _oco(client, "L1")
    emulator.clock_advance(1)
    assert _order(client, "L1s")["average"] == 95
    assert _order(client, "L1t")["status"] == "expired"


def test_a_limit_maker_target_and_a_buy_oco(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    _future(emulator, (100.0, 100.25, 97.5, 98.0))
    _oco(client, "L1", aboveType="LIMIT_MAKER", aboveStopPrice="", aboveTimeInForce="")
    buy = {
        "side": "BUY",
        "aboveType": "STOP_LOSS_LIMIT",
        "abovePrice": "104",
        "aboveStopPrice": "103",
        "belowType": "LIMIT_MAKER",
        "belowPrice": "98",
        "belowStopPrice": "",
        "belowTimeInForce": "",
        "aboveClientOrderId": "L2s",  # a buy's stop is above the price
        "belowClientOrderId": "L2t",
    }
    _oco(client, "L2", **buy)
    assert _balance(client)["USDT"][1] == Decimal(104)  # quantity x the higher leg price
    emulator.clock_advance(1)
    assert _order(client, "L1t")["status"] == "open"  # the sell target was not reached
    bought = _order(client, "L2t")
    assert bought["status"] == "closed" and bought["average"] == 98
    assert client.fetch_my_trades(SYMBOL)[-1]["takerOrMaker"] == "maker"
    assert _order(client, "L2s")["status"] == "expired"
    assert _balance(client)["USDT"] == (Decimal(10000) - Decimal(98), Decimal(0))


def test_a_triggered_stop_leg_rests_after_the_list_is_done(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    _future(emulator, (93.0, 93.5, 92.0, 93.0))
    _oco(client, "L1")
    emulator.clock_advance(1)
    assert _list(client, "L1")["listOrderStatus"] == "ALL_DONE"
    stop = _order(client, "L1s")
    assert stop["status"] == "open" and stop["info"]["isWorking"] is True
    assert _order(client, "L1t")["status"] == "expired"
    assert _balance(client)["ETH"] == (Decimal(9), Decimal(1))
    with pytest.raises(ccxt.BaseError, match="-2011"):  # the list is done: cancel the leg
        client.privateDeleteOrderList({"symbol": MARKET_ID, "listClientOrderId": "L1"})
    client.cancel_order(None, SYMBOL, params={"origClientOrderId": "L1s"})
    assert _balance(client)["ETH"] == (Decimal(10), Decimal(0))


def test_cancelling_a_list_cancels_both_legs(client: ccxt.binance) -> None:
    _oco(client, "L1")
    answer = client.privateDeleteOrderList({"symbol": MARKET_ID, "listClientOrderId": "L1"})
    assert answer["listOrderStatus"] == "ALL_DONE"
    assert {r["status"] for r in answer["orderReports"]} == {"CANCELED"}
    assert _order(client, "L1s")["status"] == "canceled"
    assert _balance(client)["ETH"] == (Decimal(10), Decimal(0))
    with pytest.raises(ccxt.BaseError, match="-2011"):
        client.privateDeleteOrderList({"symbol": MARKET_ID, "listClientOrderId": "L1"})
    # cancelling one leg as an order cancels the whole list, as Binance does
    listed = _oco(client, "L1")
    client.cancel_order(None, SYMBOL, params={"origClientOrderId": "L1t"})
    assert _list(client, "L1")["orderListId"] == listed["orderListId"]
    assert _order(client, "L1s")["status"] == "canceled"
    assert _balance(client)["ETH"] == (Decimal(10), Decimal(0))


# -- faults on protective sends --------------------------------------------------------------


def _send(client: ccxt.binance, what: str, cid: str) -> Any:
    return _stop(client, cid) if what == "stop" else _oco(client, cid)


def _booked(emu: ExchangeEmulator, what: str, cid: str) -> int:
    if what == "stop":
        return sum(o["clientOrderId"] == cid for o in emu.book.orders())
    return sum(lst["listClientOrderId"] == cid for lst in emu.book.order_lists())


def _lookup(client: ccxt.binance, what: str, cid: str) -> Any:
    return _order(client, cid) if what == "stop" else _list(client, cid)


@pytest.mark.parametrize("what", ["stop", "oco"])
@pytest.mark.parametrize(
    ("fault", "raised", "accepted"),
    [
        ({"kind": "no_answer"}, ccxt.NetworkError, True),
        ({"kind": "server_error", "status": 503}, ccxt.ExchangeNotAvailable, False),
        (
            {"kind": "server_error", "status": 503, "body": "json", "accepted": True},
            ccxt.OperationFailed,
            True,
        ),
        ({"kind": "server_error", "status": 500, "body": "json"}, ccxt.OperationFailed, False),
        ({"kind": "reset"}, ccxt.NetworkError, False),
        ({"kind": "reset", "accepted": True}, ccxt.NetworkError, True),
        ({"kind": "reject", "msg": "Nope."}, ccxt.InvalidOrder, False),
        ({"kind": "reject", "accepted": True}, ccxt.InvalidOrder, True),
        ({"kind": "rate_limit", "retry_after": 1}, ccxt.DDoSProtection, False),
    ],
)
def test_order_faults_apply_to_protective_sends(
    emulator: ExchangeEmulator,
    client: ccxt.binance,
    what: str,
    fault: dict[str, Any],
    raised: type[Exception],
    accepted: bool,
) -> None:
    opts = dict(fault)  # the parameters are shared by both `what`s
    kind = opts.pop("kind")
    emulator.inject(kind, endpoint="order" if what == "stop" else "orderList", **opts)
    with pytest.raises(raised):
        _send(client, what, "f1")
    assert _booked(emulator, what, "f1") == (1 if accepted else 0)
    if accepted:
        assert _lookup(client, what, "f1")  # found by its client id, not sent again
    else:
        _send(client, what, "f1")  # the fault was used up: the resend makes it
        assert _booked(emulator, what, "f1") == 1


@pytest.mark.parametrize("what", ["stop", "oco"])
def test_lookup_lag_hides_a_new_protective_order(
    emulator: ExchangeEmulator, client: ccxt.binance, what: str
) -> None:
    emulator.inject("lookup_lag", endpoint="order" if what == "stop" else "orderList", seconds=0.5)
    _send(client, what, "g1")
    with pytest.raises(ccxt.OrderNotFound):
        _lookup(client, what, "g1")
    if what == "oco":
        assert client.privateGetOpenOrderList() == []
        with pytest.raises(ccxt.BaseError, match="-2011"):
            client.privateDeleteOrderList({"symbol": MARKET_ID, "listClientOrderId": "g1"})
    time.sleep(0.6)
    assert _lookup(client, what, "g1")


def test_faults_can_target_list_lookups_and_cancels(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    _oco(client, "L1")
    emulator.inject("server_error", endpoint="getOrderList", status=503)
    with pytest.raises(ccxt.ExchangeNotAvailable):
        _list(client, "L1")
    emulator.inject("server_error", endpoint="cancelOrderList", status=502, accepted=True)
    with pytest.raises(ccxt.ExchangeNotAvailable):
        client.privateDeleteOrderList({"symbol": MARKET_ID, "listClientOrderId": "L1"})
    assert _list(client, "L1")["listOrderStatus"] == "ALL_DONE"  # it was cancelled
    with pytest.raises(ValueError, match="endpoint order or orderList"):
        emulator.inject("partial_fill", endpoint="getOrderList")


@pytest.mark.parametrize("what", ["stop", "oco"])
def test_a_partial_fill_leaves_the_rest_resting(
    emulator: ExchangeEmulator, client: ccxt.binance, what: str
) -> None:
    _future(emulator, (99.0, 99.5, 94.5, 96.0), (96.0, 96.5, 95.5, 96.0))
    emulator.inject(
        "partial_fill", endpoint="order" if what == "stop" else "orderList", fraction=0.3
    )
    _send(client, what, "p1")
    emulator.clock_advance(1)
    leg = "p1" if what == "stop" else "p1s"
    partial = _order(client, leg)
    assert partial["status"] == "open" and partial["info"]["status"] == "PARTIALLY_FILLED"
    assert partial["filled"] == 0.3 and partial["average"] == 95
    assert _balance(client)["ETH"] == (Decimal(9), Decimal("0.7"))  # the rest still locked
    if what == "oco":
        assert _order(client, "p1t")["status"] == "expired"
    emulator.clock_advance(1)  # the next candle's high reaches the limit (94): the rest fills
    done = _order(client, leg)
    assert done["status"] == "closed" and done["filled"] == 1
    assert [t["takerOrMaker"] for t in client.fetch_my_trades(SYMBOL)] == ["taker", "maker"]
