"""The emulator's private (signed) API through ccxt's unmodified `binance` class.

Accounts, signatures and recvWindow, market and limit orders on the market clock, Binance's
client-order-id and lookup-lag semantics, every order fault, and the request-weight budget.
No Django: these test the emulator and ccxt, not the platform's own order code.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import ccxt
import numpy as np
import pytest

from emulator import ExchangeEmulator, load_candles_csv

from .helpers import binance_client

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CSV_5M = PROJECT_ROOT.parent / "shared" / "data" / "binance_BTC-USDT_5m.csv.gz"
FIVE_MIN = 300_000
START = 1_704_067_200_000  # 2024-01-01T00:00Z, the first candle of the file
CLOCK = START + 12 * FIVE_MIN  # 01:00: twelve candles closed
SECRET = "emu-Secret-9f8e7d6c5b4a"
_keys = itertools.count(1)


@pytest.fixture(scope="module")
def candles_5m() -> np.ndarray:
    return load_candles_csv(CSV_5M)


@pytest.fixture
def emulator(module_emulator: ExchangeEmulator) -> Iterator[ExchangeEmulator]:
    """The module's emulator (the root conftest's: BTC/USDT 5m from the same file) on a fresh
    clock, book, budget and fault queue."""
    module_emulator.reset()
    module_emulator.clock_set(CLOCK)
    yield module_emulator
    module_emulator.reset()


@pytest.fixture
def api_key(emulator: ExchangeEmulator) -> str:
    key = f"key{next(_keys):04d}"
    emulator.account_create(key, SECRET, {"USDT": "10000", "BTC": "1"})
    return key


@pytest.fixture
def client(emulator: ExchangeEmulator, api_key: str) -> ccxt.binance:
    client = binance_client(emulator.url, api_key=api_key, secret=SECRET)
    client.load_markets()
    return client


def _request(method: str, url: str, payload: Any = None) -> tuple[int, Any, dict[str, str]]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), dict(error.headers)


def _book(emu: ExchangeEmulator, client_id: str | None = None) -> list[dict[str, Any]]:
    return [o for o in emu.book.orders() if client_id is None or o["clientOrderId"] == client_id]


def _free(client: ccxt.binance) -> dict[str, Decimal]:
    raw = client.fetch_balance()["info"]["balances"]
    return {b["asset"]: Decimal(b["free"]) for b in raw}


# -- authentication --------------------------------------------------------------------------


def test_signed_request_answers_the_account(client: ccxt.binance) -> None:
    balance = client.fetch_balance()
    assert balance["total"]["USDT"] == 10_000 and balance["total"]["BTC"] == 1


@pytest.mark.parametrize(
    ("change", "error", "code", "words"),
    [
        ({"secret": "wrong-secret-000"}, ccxt.AuthenticationError, -1022, "Signature"),
        ({"apiKey": "nobody"}, ccxt.AuthenticationError, -2015, "Invalid API-key"),
    ],
)
def test_bad_credentials_are_refused_with_binance_codes(
    emulator: ExchangeEmulator, api_key: str, change, error, code, words
) -> None:
    client = binance_client(emulator.url, api_key=api_key, secret=SECRET)
    client.load_markets()
    for name, value in change.items():
        setattr(client, name, value)
    with pytest.raises(error) as raised:
        client.fetch_balance()
    assert f'"code":{code}' in str(raised.value) and words in str(raised.value)


def test_ip_whitelist_refuses_other_addresses(emulator: ExchangeEmulator) -> None:
    emulator.account_create("walled", SECRET, {"USDT": "1"}, ip_whitelist=("10.1.2.3",))
    client = binance_client(emulator.url, api_key="walled", secret=SECRET)
    with pytest.raises(ccxt.AuthenticationError, match="request ip: 127.0.0.1"):
        client.fetch_balance()


@pytest.mark.parametrize(
    ("offset_ms", "words"),
    [(30_000, "outside of the recvWindow"), (-30_000, "ahead of the server")],
)
def test_clock_skew_is_refused_with_minus_1021(
    emulator: ExchangeEmulator, client: ccxt.binance, offset_ms: int, words: str
) -> None:
    emulator.settings_update(server_time_offset_ms=offset_ms)
    with pytest.raises(ccxt.InvalidNonce) as raised:  # ccxt: -1021 is InvalidNonce
        client.fetch_balance()
    assert '"code":-1021' in str(raised.value) and words in str(raised.value)


def test_recv_window_is_honoured(emulator: ExchangeEmulator, api_key: str) -> None:
    emulator.settings_update(server_time_offset_ms=7_000)  # the server is 7 s ahead
    strict = binance_client(
        emulator.url, api_key=api_key, secret=SECRET, options={"recvWindow": 5000}
    )
    with pytest.raises(ccxt.InvalidNonce, match="recvWindow"):
        strict.fetch_balance()
    tolerant = binance_client(
        emulator.url, api_key=api_key, secret=SECRET, options={"recvWindow": 10000}
    )
    assert tolerant.fetch_balance()["total"]["USDT"] == 10_000


# -- orders on the market clock ---------------------------------------------------------------


def test_market_order_fills_at_the_last_closed_price_with_commission(
    emulator: ExchangeEmulator, client: ccxt.binance, candles_5m: np.ndarray
) -> None:
    price = Decimal(
        repr(float(candles_5m[11, 4]))
    )  # close of 00:55, the last candle closed at 01:00
    order = client.create_order(
        "BTC/USDT", "market", "buy", 0.01, params={"newClientOrderId": "m1"}
    )
    assert order["status"] == "closed" and order["clientOrderId"] == "m1"
    assert Decimal(str(order["average"])) == price and order["filled"] == 0.01
    free = _free(client)
    assert free["USDT"] == Decimal("10000") - price * Decimal("0.01")
    assert free["BTC"] == Decimal("1") + Decimal("0.01") - Decimal("0.00001")  # 0.1% in BTC
    (trade,) = client.fetch_my_trades("BTC/USDT")
    assert trade["order"] == order["id"] and trade["takerOrMaker"] == "taker"
    assert trade["fee"] == {"currency": "BTC", "cost": 0.00001}


def test_a_partial_fill_fault_expires_the_rest_of_a_market_order(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    emulator.inject("partial_fill", fraction=0.3)
    order = client.create_order(
        "BTC/USDT", "market", "buy", 0.01, params={"newClientOrderId": "p1"}
    )
    assert order["status"] == "expired" and order["filled"] == 0.003 and order["amount"] == 0.01
    (trade,) = client.fetch_my_trades("BTC/USDT")
    assert trade["amount"] == 0.003
    assert _free(client)["BTC"] == Decimal("1") + Decimal("0.003") - Decimal("0.000003")
    again = client.create_order("BTC/USDT", "market", "buy", 0.01)  # the fault was used up
    assert again["status"] == "closed" and again["filled"] == 0.01
    for fraction in (0, 1, 1.5, "half"):
        with pytest.raises(ValueError, match="fraction"):
            emulator.inject("partial_fill", fraction=fraction)


def test_limit_order_rests_until_a_candle_reaches_it(
    emulator: ExchangeEmulator, client: ccxt.binance, candles_5m: np.ndarray
) -> None:
    future = candles_5m[12:40]
    target = float(future[:, 3].min())  # the lowest low of the next 28 candles
    first_touch = int(np.argmax(future[:, 3] <= target))
    order = client.create_order("BTC/USDT", "limit", "buy", 0.1, target)
    assert order["status"] == "open"
    locked = client.fetch_balance()["used"]["USDT"]
    assert locked == pytest.approx(0.1 * target)
    assert [o["id"] for o in client.fetch_open_orders("BTC/USDT")] == [order["id"]]
    if first_touch:
        emulator.clock_advance(first_touch)  # candles up to just before the touch
        assert client.fetch_order(order["id"], "BTC/USDT")["status"] == "open"
    _, answer, _ = _request("POST", f"{emulator.url}/__emulator__/clock", {"advance": 1})
    assert [o["orderId"] for o in answer["filled"]] == [int(order["id"])]
    filled = client.fetch_order(order["id"], "BTC/USDT")
    assert filled["status"] == "closed" and filled["average"] == target
    assert client.fetch_open_orders("BTC/USDT") == []
    assert client.fetch_my_trades("BTC/USDT")[-1]["takerOrMaker"] == "maker"


def test_klines_stop_at_the_market_clock(emulator: ExchangeEmulator, client: ccxt.binance) -> None:
    last = client.fetch_ohlcv("BTC/USDT", "5m", limit=5)[-1][0]
    assert last == CLOCK - FIVE_MIN  # the candle closing at the clock, nothing later
    emulator.clock_advance(3)
    assert client.fetch_ohlcv("BTC/USDT", "5m", limit=5)[-1][0] == CLOCK + 2 * FIVE_MIN


def test_cancel_releases_the_funds(client: ccxt.binance) -> None:
    order = client.create_order("BTC/USDT", "limit", "buy", 0.1, 30_000)
    cancelled = client.cancel_order(order["id"], "BTC/USDT")
    assert cancelled["status"] == "canceled"
    assert client.fetch_balance()["used"].get("USDT", 0) == 0
    with pytest.raises(ccxt.OrderNotFound):  # -2011: not open any more
        client.cancel_order(order["id"], "BTC/USDT")


def test_bad_orders_are_refused(client: ccxt.binance) -> None:
    with pytest.raises(ccxt.InsufficientFunds):
        client.create_order("BTC/USDT", "market", "buy", 100)
    with pytest.raises(ccxt.BadSymbol):
        client.create_order("ETH/USDT", "market", "buy", 1)


# -- Binance's client order id semantics ------------------------------------------------------


def test_client_order_id_is_unique_among_open_orders_only(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    client.create_order("BTC/USDT", "limit", "buy", 0.1, 30_000, params={"newClientOrderId": "L1"})
    with pytest.raises(ccxt.InvalidOrder, match="Duplicate order sent"):
        client.create_order(
            "BTC/USDT", "limit", "buy", 0.1, 30_000, params={"newClientOrderId": "L1"}
        )
    # A filled market order's id is free again: a blind resend is a second order.
    for _ in range(2):
        client.create_order("BTC/USDT", "market", "buy", 0.01, params={"newClientOrderId": "M1"})
    assert [o["status"] for o in _book(emulator, "M1")] == ["FILLED", "FILLED"]
    assert len(_book(emulator, "L1")) == 1


def test_lookup_by_client_id_may_say_does_not_exist_for_a_while(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    emulator.settings_update(lookup_lag_seconds=1.5)
    sent = time.monotonic()
    client.create_order("BTC/USDT", "market", "buy", 0.01, params={"newClientOrderId": "lag1"})
    with pytest.raises(ccxt.OrderNotFound, match="-2013"):
        client.fetch_order(None, "BTC/USDT", params={"origClientOrderId": "lag1"})
    assert client.fetch_open_orders("BTC/USDT") == []
    while True:  # found once the lag is over, never before
        try:
            found = client.fetch_order(None, "BTC/USDT", params={"origClientOrderId": "lag1"})
            break
        except ccxt.OrderNotFound:
            assert time.monotonic() - sent < 10
            time.sleep(0.1)
    assert time.monotonic() - sent >= 1.5
    assert found["clientOrderId"] == "lag1" and found["status"] == "closed"


# -- order faults: the order is in the book exactly once whatever happens ----------------------


def _place_once(
    client: ccxt.binance, client_id: str, errors: list[Exception], tries: int = 3
) -> dict[str, Any]:
    """The careful way to place an order: after an unknown outcome, look it up by client id
    (waiting out "does not exist" for a while) and send again only when it never arrived."""
    for _ in range(tries):
        try:
            return client.create_order(
                "BTC/USDT", "market", "buy", 0.01, params={"newClientOrderId": client_id}
            )
        except ccxt.BaseError as error:  # OperationFailed (-1000/-1001/-1006) is no ExchangeError
            if isinstance(error, ccxt.InvalidOrder):
                raise
            errors.append(error)
            client.timeout = 10_000  # the short timeout was for the slow fault only
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                try:
                    return client.fetch_order(
                        None, "BTC/USDT", params={"origClientOrderId": client_id}
                    )
                except ccxt.OrderNotFound:
                    time.sleep(0.2)
    raise AssertionError("the order never went through")


@pytest.mark.parametrize(
    ("fault", "raised", "accepted"),
    [
        ({"kind": "no_answer"}, ccxt.NetworkError, True),
        ({"kind": "slow", "seconds": 3.0}, ccxt.RequestTimeout, True),
        ({"kind": "server_error", "status": 503}, ccxt.ExchangeNotAvailable, False),
        (
            {"kind": "server_error", "status": 502, "accepted": True},
            ccxt.ExchangeNotAvailable,
            True,
        ),
        ({"kind": "rate_limit", "retry_after": 1}, ccxt.DDoSProtection, False),
        ({"kind": "lookup_lag", "seconds": 0.5}, None, True),
        # What Binance sends when "the execution status is UNKNOWN": ccxt 4.5 maps -1000,
        # -1001 and -1006 to OperationFailed, which is NOT a NetworkError.
        *(
            (
                {"kind": "server_error", "status": status, "body": "json", "code": code, **after},
                raised,
                bool(after),
            )
            for status, code, raised in (
                (500, -1000, ccxt.OperationFailed),
                (503, -1001, ccxt.OperationFailed),
                (502, -1006, ccxt.OperationFailed),
                (504, -1007, ccxt.RequestTimeout),
                (408, -1007, ccxt.RequestTimeout),
            )
            for after in ({}, {"accepted": True})
        ),
        ({"kind": "server_error", "status": 502, "body": "html"}, ccxt.ExchangeNotAvailable, False),
        (
            {"kind": "server_error", "status": 504, "body": "html", "accepted": True},
            ccxt.RequestTimeout,  # ccxt's class for an HTTP 504
            True,
        ),
        ({"kind": "reset"}, ccxt.NetworkError, False),
        ({"kind": "reset", "accepted": True}, ccxt.NetworkError, True),
    ],
)
def test_order_faults_leave_exactly_one_order(
    emulator: ExchangeEmulator, api_key: str, fault: dict[str, Any], raised, accepted: bool
) -> None:
    client = binance_client(emulator.url, api_key=api_key, secret=SECRET)
    client.load_markets()
    client.timeout = 1_000  # shorter than the slow fault's 3 s
    kind = fault.pop("kind")
    emulator.inject(kind, endpoint="order", **fault)
    errors: list[Exception] = []
    order = _place_once(client, "f1", errors)
    assert [type(e) for e in errors] == ([raised] if raised else [])
    assert order["status"] == "closed" and order["clientOrderId"] == "f1"
    (booked,) = _book(emulator, "f1")  # exactly one, whatever the fault
    assert booked["orderId"] == int(order["id"])
    # Accepted despite the fault: the lookup found it; refused: the one resend made it.
    sent = [r for r in emulator.requests if r["method"] == "POST" and r["path"] == "/api/v3/order"]
    assert len(sent) == (1 if accepted else 2)


def test_reject_fault_refuses_the_order(emulator: ExchangeEmulator, client: ccxt.binance) -> None:
    emulator.inject("reject", msg="Order would trigger immediately.")
    with pytest.raises(ccxt.InvalidOrder, match="trigger immediately"):
        client.create_order("BTC/USDT", "market", "buy", 0.01)
    assert emulator.book.orders() == []


def test_a_reject_after_acceptance_refuses_in_words_but_fills(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    """The exchange that says -2010 but did it: what the platform's orphan adoption is for."""
    emulator.inject("reject", accepted=True)
    with pytest.raises(ccxt.InvalidOrder):
        client.create_order("BTC/USDT", "market", "buy", 0.01, params={"newClientOrderId": "r1"})
    (booked,) = _book(emulator, "r1")
    assert booked["status"] == "FILLED"


@pytest.mark.parametrize(
    ("opts", "words"),
    [
        ({"status": 404}, "5xx code or 408"),
        ({"body": "xml"}, "body must be one of text, html, json"),
        ({"body": "json", "code": -2010}, "code must be one of -1000, -1001, -1006, -1007"),
    ],
)
def test_server_error_faults_are_validated(
    emulator: ExchangeEmulator, opts: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        emulator.inject("server_error", endpoint="order", **opts)


def test_blind_resend_after_a_lost_answer_is_a_duplicate(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    """Why a careful client looks up before resending: Binance makes a second order."""
    emulator.inject("no_answer")
    with pytest.raises(ccxt.NetworkError):
        client.create_order("BTC/USDT", "market", "buy", 0.01, params={"newClientOrderId": "b1"})
    client.create_order("BTC/USDT", "market", "buy", 0.01, params={"newClientOrderId": "b1"})
    assert len(_book(emulator, "b1")) == 2


# -- request weight --------------------------------------------------------------------------


def test_weight_budget_answers_429_with_retry_after(
    emulator: ExchangeEmulator, client: ccxt.binance
) -> None:
    emulator.settings_update(weight_limit=50, weight_interval_seconds=60)
    used = []
    with pytest.raises(ccxt.DDoSProtection):  # ccxt: a 429 is DDoSProtection
        for _ in range(5):  # account: weight 20 each
            client.fetch_balance()
            used.append(int(client.last_response_headers["X-MBX-USED-WEIGHT-1M"]))
    assert used == [20, 40]
    assert int(client.last_response_headers["Retry-After"]) >= 1
    assert emulator.settings()["refused"] == 1


# -- control endpoints and CLI ----------------------------------------------------------------


def test_control_endpoints(emulator: ExchangeEmulator) -> None:
    control = f"{emulator.url}/__emulator__"
    status, body, _ = _request(
        "POST",
        f"{control}/accounts",
        {"api_key": "http1", "secret": SECRET, "balances": {"USDT": 5}},
    )
    assert status == 201 and body["balances"][0]["free"] == "5.00000000"
    assert SECRET not in json.dumps(_request("GET", f"{control}/accounts")[1])
    assert _request("POST", f"{control}/accounts", {"api_key": "x"})[0] == 400
    assert _request("POST", f"{control}/clock", {"advance": 0})[0] == 400
    assert _request("POST", f"{control}/settings", {"weight_limt": 5})[0] == 400
    assert _request("POST", f"{control}/clock", {"advance": 2})[1]["time"] == CLOCK + 2 * FIVE_MIN
    client = binance_client(emulator.url, api_key="http1", secret=SECRET)
    client.load_markets()
    with pytest.raises(ccxt.InsufficientFunds):
        client.create_order("BTC/USDT", "market", "buy", 0.01)
    assert _request("GET", f"{control}/orders")[1] == []
    assert _request("DELETE", f"{control}/clock")[1]["time"] is None
    deposit = {"api_key": "http1", "asset": "BTC", "amount": "0.25"}
    status, body, _ = _request("POST", f"{control}/deposits", deposit)
    assert status == 200 and _free(client)["BTC"] == Decimal("0.25")
    assert _request("POST", f"{control}/deposits", {**deposit, "amount": "-1"})[0] == 400
    assert _request("POST", f"{control}/deposits", {**deposit, "api_key": "nobody"})[0] == 400


def test_cli_creates_accounts_and_starts_the_clock() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "--port",
            "0",
            "--csv",
            f"BTC/USDT:5m:{CSV_5M}",
            "--account",
            f"cli-key:{SECRET}:USDT=250,BTC=0.5",
            "--clock",
            "2024-01-01T01:00:00",
            "--weight-limit",
            "1000/10",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        client = binance_client(url, api_key="cli-key", secret=SECRET)
        assert client.fetch_balance()["total"] == {"BTC": 0.5, "USDT": 250.0}
        assert client.fetch_ohlcv("BTC/USDT", "5m", limit=2)[-1][0] == CLOCK - FIVE_MIN
        assert _request("GET", f"{url}/__emulator__/settings")[1]["weight_limit"] == 1000
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
