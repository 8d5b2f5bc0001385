"""fetch_ohlcv through the real ccxt binance client against the local exchange emulator."""

import numpy as np
import pytest

from apps.datafeeds.models import Candle, Symbol
from apps.datafeeds.selectors import SymbolNotFound, candles_window
from apps.datafeeds.services import (
    FetchError,
    fetch_ohlcv,
    symbol_get_or_register,
    symbol_register,
    symbol_track,
)

pytestmark = pytest.mark.django_db

FIVE_MIN = 300_000


def stored(symbol, timeframe="5m") -> np.ndarray:
    c = candles_window(symbol=symbol, timeframe=timeframe)
    return np.column_stack([c.open_time, c.open, c.high, c.low, c.close, c.volume])


def window(rows, first, count):
    return rows[first : first + count]


def span(rows, first, count) -> dict:
    """since/until covering rows[first:first+count] exactly."""
    return {"since_ms": int(rows[first, 0]), "until_ms": int(rows[first + count - 1, 0]) + FIVE_MIN}


def test_multi_page_download_equals_the_source_exactly(emulated_binance, btc_symbol, btc_5m):
    report = fetch_ohlcv(symbol=btc_symbol, timeframe="5m", **span(btc_5m, 1000, 3500))
    assert report.pages == 4  # 1000 per page
    assert report.written.inserted == 3500
    assert np.array_equal(stored(btc_symbol), window(btc_5m, 1000, 3500))
    assert report.gaps == [] and report.rejected == []


def test_page_size_follows_limit(emulated_binance, btc_symbol, btc_5m):
    report = fetch_ohlcv(symbol=btc_symbol, timeframe="5m", limit=250, **span(btc_5m, 0, 1000))
    assert report.pages == 4
    assert {r["params"]["limit"] for r in emulated_binance.klines_requests()} == {"250"}


def test_limit_above_the_exchange_maximum_is_capped(emulated_binance, btc_symbol, btc_5m):
    fetch_ohlcv(symbol=btc_symbol, timeframe="5m", limit=5000, **span(btc_5m, 0, 1200))
    assert {r["params"]["limit"] for r in emulated_binance.klines_requests()} == {"1000"}


def test_resume_after_an_interrupted_download(emulated_binance, btc_symbol, btc_5m):
    full = span(btc_5m, 0, 3000)
    # Interrupted: the exchange kept failing after the first page.
    emulated_binance.inject("server_error", count=100, after=1)
    with pytest.raises(FetchError):
        fetch_ohlcv(symbol=btc_symbol, timeframe="5m", **full)
    assert Candle.objects.count() == 1000
    emulated_binance.clear_faults()
    emulated_binance.reset_requests()
    report = fetch_ohlcv(symbol=btc_symbol, timeframe="5m", until_ms=full["until_ms"])
    first_request = emulated_binance.klines_requests()[0]
    assert int(first_request["params"]["startTime"]) == int(btc_5m[999, 0])  # the last stored
    assert report.written.inserted == 2000
    assert np.array_equal(stored(btc_symbol), window(btc_5m, 0, 3000))


def test_running_twice_changes_nothing(emulated_binance, btc_symbol, btc_5m):
    fetch_ohlcv(symbol=btc_symbol, timeframe="5m", **span(btc_5m, 0, 1500))
    before = stored(btc_symbol)
    again = fetch_ohlcv(symbol=btc_symbol, timeframe="5m", **span(btc_5m, 0, 1500))
    assert (again.written.inserted, again.written.updated, again.written.unchanged) == (0, 0, 1500)
    assert np.array_equal(stored(btc_symbol), before)


@pytest.mark.parametrize("fault", ["rate_limit", "server_error"])
def test_temporary_errors_are_retried_without_duplicates(
    emulated_binance, btc_symbol, btc_5m, fault
):
    emulated_binance.inject(fault, count=3)
    report = fetch_ohlcv(symbol=btc_symbol, timeframe="5m", **span(btc_5m, 0, 2500))
    assert report.retries == 3
    assert Candle.objects.count() == 2500
    assert np.array_equal(stored(btc_symbol), window(btc_5m, 0, 2500))


def test_a_slow_exchange_times_out_and_is_retried(emulated_binance, btc_symbol, btc_5m, settings):
    settings.DATAFEEDS_EXCHANGE_TIMEOUT_MS = 300
    emulated_binance.inject("slow", count=1, seconds=1.0)
    report = fetch_ohlcv(symbol=btc_symbol, timeframe="5m", **span(btc_5m, 0, 500))
    assert report.retries == 1
    assert Candle.objects.count() == 500


def test_retries_are_bounded_and_the_error_is_clear(emulated_binance, btc_symbol, btc_5m):
    emulated_binance.inject("rate_limit", count=100)
    # ccxt's binance raises DDoSProtection for any HTTP 429; both are temporary errors.
    expected = "failed after 5 attempts: (RateLimitExceeded|DDoSProtection)"
    with pytest.raises(FetchError, match=expected):
        fetch_ohlcv(symbol=btc_symbol, timeframe="5m", **span(btc_5m, 0, 500))
    assert len(emulated_binance.klines_requests()) == 5


def test_the_open_candle_is_not_stored(emulated_binance, btc_symbol, btc_5m):
    emulated_binance.unclosed_last = True
    report = fetch_ohlcv(symbol=btc_symbol, timeframe="5m", since_ms=int(btc_5m[-300, 0]))
    assert report.open_dropped == 1
    assert np.array_equal(stored(btc_symbol), btc_5m[-300:])


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("high_below_low", "high below open or close"),
        ("not_a_number", "missing or non-numeric value"),
        ("negative_volume", "negative volume"),
    ],
)
def test_bad_rows_are_rejected_and_reported(emulated_binance, btc_symbol, btc_5m, mode, reason):
    emulated_binance.inject("malformed_row", count=1, mode=mode, index=7)
    report = fetch_ohlcv(symbol=btc_symbol, timeframe="5m", **span(btc_5m, 0, 1200))
    assert [r.reason for r in report.rejected] == [reason]
    assert report.rejected[0].open_time == int(btc_5m[7, 0])
    kept = np.delete(window(btc_5m, 0, 1200), 7, axis=0)
    assert np.array_equal(stored(btc_symbol), kept)
    assert report.gaps == [(int(btc_5m[7, 0]), int(btc_5m[7, 0]), 1)]


def test_unknown_symbol_fails_at_once(emulated_binance):
    with pytest.raises(FetchError, match="Unknown symbol 'DOGE/EUR' on binance"):
        symbol_register(name="DOGEEUR", base="DOGE", quote="EUR", exchange="binance")
    assert not Symbol.objects.filter(name="DOGEEUR").exists()
    assert emulated_binance.klines_requests() == []


def test_symbol_delisted_on_the_exchange_is_not_retried(emulated_binance, db):
    gone = Symbol.objects.create(name="ETHBTC", base="ETH", quote="BTC", market_symbol="ETH/BTC")
    with pytest.raises(FetchError, match="Unknown symbol"):
        fetch_ohlcv(symbol=gone, timeframe="5m")
    assert emulated_binance.klines_requests() == []


def test_register_creates_a_listed_symbol(emulated_binance, db):
    symbol = symbol_register(name="BTCUSDT", base="btc", quote="usdt")
    assert (symbol.exchange, symbol.market_symbol) == ("binance", "BTC/USDT")


def test_get_or_register_registers_with_base_and_quote_and_looks_up_without(emulated_binance, db):
    made = symbol_get_or_register(name="BTCUSDT", base="BTC", quote="USDT")
    assert symbol_get_or_register(name="BTCUSDT") == made
    assert symbol_get_or_register(name="BTCUSDT", base="BTC", quote="USDT") == made
    assert Symbol.objects.count() == 1


def test_get_or_register_without_base_never_creates(db):
    with pytest.raises(SymbolNotFound, match="Unknown symbol 'NOPE'"):
        symbol_get_or_register(name="NOPE")
    with pytest.raises(ValueError, match="base and quote go together"):
        symbol_get_or_register(name="NOPE", base="NO")
    assert not Symbol.objects.exists()


def test_get_or_register_offline_skips_the_market_check(db):
    symbol = symbol_get_or_register(name="SOLUSDT", base="SOL", quote="USDT", verify_market=False)
    assert symbol.market_symbol == "SOL/USDT"  # no exchange reachable here: not asked


def test_track_adds_a_timeframe_once(btc_symbol):
    symbol_track(symbol=btc_symbol, timeframe="1h")
    symbol_track(symbol=btc_symbol, timeframe="4h")
    symbol_track(symbol=btc_symbol, timeframe="1h")
    assert btc_symbol.tracked_timeframes == ["1h", "4h"]
    btc_symbol.refresh_from_db()
    assert btc_symbol.tracked_timeframes == ["1h", "4h"]


def test_track_refuses_a_bad_timeframe(btc_symbol):
    with pytest.raises(ValueError, match="Invalid timeframe 'd'"):
        symbol_track(symbol=btc_symbol, timeframe="d")
    btc_symbol.refresh_from_db()
    assert btc_symbol.tracked_timeframes == []


def test_bad_timeframe_fails_before_any_request(emulated_binance, btc_symbol):
    with pytest.raises(FetchError, match="Invalid timeframe 'd'"):
        fetch_ohlcv(symbol=btc_symbol, timeframe="d")
    assert emulated_binance.requests == []


def test_aggregated_timeframes_download_too(emulated_binance, btc_symbol, shared_data):
    from apps.datafeeds.importers import candle_file_read

    exchange_4h, _ = candle_file_read(shared_data / "binance_BTC-USDT_4h.csv.gz")
    report = fetch_ohlcv(
        symbol=btc_symbol,
        timeframe="4h",
        since_ms=int(exchange_4h[0, 0]),
        until_ms=int(exchange_4h[-1, 0]) + 4 * 3600_000,
    )
    assert report.written.inserted == len(exchange_4h)
    got = stored(btc_symbol, "4h")
    assert np.array_equal(got[:, :5], exchange_4h[:, :5])
    np.testing.assert_allclose(got[:, 5], exchange_4h[:, 5], rtol=0, atol=1e-10)


def test_progress_is_reported_per_page(emulated_binance, btc_symbol, btc_5m):
    seen = []
    fetch_ohlcv(symbol=btc_symbol, timeframe="5m", progress=seen.append, **span(btc_5m, 0, 2100))
    assert [p.pages for p in seen] == [1, 2, 3]
    assert [p.candles for p in seen] == [1000, 2000, 2100]
