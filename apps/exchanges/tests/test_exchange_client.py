"""The ccxt wrapper: ccxt's errors come out as ours, split into temporary and permanent
(real ccxt binance client against the exchange emulator)."""

import pytest

from apps.exchanges.exchange_client import (
    AuthenticationFailed,
    ExchangeClient,
    PermanentExchangeError,
    RateLimited,
    TemporaryExchangeError,
    UnknownExchange,
    UnknownMarket,
    exchange_client_for,
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
