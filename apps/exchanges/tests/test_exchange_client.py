"""The ccxt wrapper: ccxt's errors come out as ours, split into temporary and permanent for
reads, refused or unknown for sends (real ccxt binance client against the exchange emulator)."""

import builtins
import json
from pathlib import Path

import ccxt
import pytest

from apps.exchanges.exchange_client import (
    AuthenticationFailed,
    ExchangeClient,
    OutcomeUnknown,
    PermanentExchangeError,
    RateLimited,
    RequestTrace,
    TemporaryExchangeError,
    UnknownExchange,
    UnknownMarket,
    exchange_client_for,
    read_outcome,
    send_outcome,
)


@pytest.fixture
def client(emulator) -> ExchangeClient:
    client = exchange_client_for(exchange_id="binance", api_hosts={"binance": emulator.url})
    client.load_markets()
    return client


def test_a_throttled_request_is_a_temporary_rate_limit_with_its_retry_after(emulator, client):
    emulator.inject("rate_limit", count=1, retry_after=7)
    with pytest.raises(RateLimited) as raised:
        client.fetch_ohlcv("BTC/USDT", "5m", since_ms=0, limit=5, until_ms=10**13)
    assert isinstance(raised.value, TemporaryExchangeError)
    assert raised.value.kind in ("RateLimitExceeded", "DDoSProtection")
    assert raised.value.retry_after_s == 7
    assert raised.value.exchange == "binance"


def test_a_server_error_is_temporary(emulator, client):
    emulator.inject("server_error", count=1)
    with pytest.raises(TemporaryExchangeError) as raised:
        client.fetch_ohlcv("BTC/USDT", "5m", since_ms=0, limit=5, until_ms=10**13)
    assert not isinstance(raised.value, RateLimited)


def test_the_next_call_after_a_temporary_error_succeeds(emulator, client):
    emulator.inject("server_error", count=1)
    with pytest.raises(TemporaryExchangeError):
        client.fetch_ohlcv("BTC/USDT", "5m", since_ms=0, limit=5, until_ms=10**13)
    assert len(client.fetch_ohlcv("BTC/USDT", "5m", since_ms=0, limit=5, until_ms=10**13)) == 5


def test_an_unlisted_market_is_permanent(client):
    with pytest.raises(UnknownMarket, match="Unknown symbol 'DOGE/EUR' on binance"):
        client.market("DOGE/EUR")
    assert issubclass(UnknownMarket, PermanentExchangeError)


def test_a_private_call_without_credentials_is_an_authentication_failure(client):
    with pytest.raises(AuthenticationFailed) as raised:
        client.call("fetch_balance")
    assert isinstance(raised.value, PermanentExchangeError)
    assert raised.value.kind == "AuthenticationError"


def test_an_unknown_exchange_id_is_refused_before_any_request():
    with pytest.raises(UnknownExchange, match="not a ccxt exchange id"):
        exchange_client_for(exchange_id="nope")


def test_the_page_limit_and_timeframes_come_from_the_exchange(client):
    assert client.ohlcv_page_limit(client.market("BTC/USDT")) == 1000
    assert "1M" in client.timeframes and "5m" in client.timeframes


def test_no_ccxt_outside_the_wrapper():
    """Only the exchanges app (the wrapper, account checks, rate limits) imports it."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    offenders = []
    for path in sorted((root / "apps").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("apps/exchanges/"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(name == "ccxt" or name.startswith("ccxt.") for name in names):
                offenders.append(relative)
    assert offenders == []


# -- what an error means: the table in docs/exchanges.md, row by row ---------------------------

DOCS = Path(__file__).resolve().parents[3] / "docs" / "exchanges.md"


def _error_table() -> list[tuple[str, str, str, str]]:
    text = DOCS.read_text()
    table = text.split("<!-- error-table:start -->")[1].split("<!-- error-table:end -->")[0]
    rows = [line.strip("|").split("|") for line in table.strip().splitlines()[2:]]
    return [tuple(cell.strip().replace("`", "") for cell in row) for row in rows]


def _trace(answer: str) -> RequestTrace:
    if answer == "not sent":
        return RequestTrace()
    if answer == "none":
        return RequestTrace(sent=True)
    status, _, code = answer.partition(" ")
    body = json.dumps({"code": int(code), "msg": "..."}) if code else "<html>...</html>"
    return RequestTrace(sent=True, status=int(status), body=body)


@pytest.mark.parametrize(("name", "answer", "read", "send"), _error_table())
def test_the_documented_meaning_of_each_error_is_the_codes(name, answer, read, send):
    error = getattr(ccxt, name, None) or getattr(builtins, name)
    error = error("binance something happened")
    trace = _trace(answer)
    if isinstance(error, ccxt.BaseError):
        assert read_outcome(error, trace).__name__ == read
    else:
        assert read == "raised as is"  # not ccxt's: `call` lets it through unchanged
    outcome = send_outcome(error, trace)
    if outcome is None:
        assert send == "unknown"
    else:
        word = "rate limited" if outcome is RateLimited else "refused"
        assert send == f"{word}: {outcome.__name__}"


def test_the_error_table_covers_every_kind_of_answer():
    names = {row[0] for row in _error_table()}
    answers = {row[1] for row in _error_table()}
    assert {"OperationFailed", "ExchangeError", "ValueError", "DuplicateOrderId"} <= names
    assert {"none", "not sent", "408 -1007", "500 -1000", "503 -1001", "502 -1006"} <= answers


@pytest.mark.parametrize(
    ("opts", "kind"),
    [
        ({"status": 503, "body": "json", "code": -1001}, "OperationFailed"),
        ({"status": 500, "body": "json", "code": -1000}, "OperationFailed"),
        ({"status": 502, "body": "html"}, "ExchangeNotAvailable"),
    ],
)
def test_a_read_answered_5xx_is_temporary_whatever_its_body(emulator, client, opts, kind):
    emulator.inject("server_error", **opts)
    with pytest.raises(TemporaryExchangeError) as raised:
        client.fetch_ohlcv("BTC/USDT", "5m", since_ms=0, limit=5, until_ms=10**13)
    assert raised.value.kind == kind


def test_a_send_that_raises_anything_unlisted_is_unknown(emulator, client, monkeypatch):
    """A class nobody listed, raised after the request left: the outcome is unknown."""

    def answer_unreadable(*args, **kwargs):
        client._client.fetch_time()  # a request goes out and is answered 200 ...
        raise KeyError("orderId")  # ... and reading the answer fails

    monkeypatch.setattr(client._client, "create_order", answer_unreadable)
    with pytest.raises(OutcomeUnknown) as raised:
        client.send("create_order", "BTC/USDT", "market", "buy", "0.01")
    assert raised.value.kind == "KeyError" and "HTTP 200" in str(raised.value)
