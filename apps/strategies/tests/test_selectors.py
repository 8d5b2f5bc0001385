"""strategy_inputs: the one path from stored candles to a strategy (run endpoint, backtests)."""

import numpy as np
import pytest

from apps.datafeeds.models import Symbol
from apps.datafeeds.storage import candles_upsert
from apps.datafeeds.times import parse_time_ms
from apps.strategies.registry import strategy_spec
from apps.strategies.selectors import MissingCandles, strategy_display_inputs, strategy_inputs

pytestmark = pytest.mark.django_db

FIVE_MIN = 300_000
HOUR = 3_600_000
START = parse_time_ms("2024-06-01")
END = parse_time_ms("2024-06-08")


@pytest.fixture
def symbol(db):
    return Symbol.objects.create(
        exchange="binance", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )


@pytest.fixture
def stored_5m_and_4h(symbol, btc_5m_candles, btc_4h_candles):
    candles_upsert(symbol=symbol, timeframe="5m", rows=btc_5m_candles.rows())
    candles_upsert(symbol=symbol, timeframe="4h", rows=btc_4h_candles.rows())
    return symbol


def test_base_series_starts_a_warmup_before_the_span_and_ends_before_its_end(stored_5m_and_4h):
    spec = strategy_spec("ema-cross")
    params = spec.defaults()
    inputs = strategy_inputs(
        spec=spec, params=params, symbol=stored_5m_and_4h, start_ms=START, end_ms=END
    )
    assert inputs.base.open_time[0] == START - spec.base_warmup(params) * FIVE_MIN
    assert inputs.base.open_time[-1] == END - FIVE_MIN
    assert inputs.span.open_time[0] == START and len(inputs.span) == 7 * 288
    assert inputs.context == {}


def test_a_stored_higher_timeframe_comes_with_its_warmup_and_only_closed_candles(
    stored_5m_and_4h,
):
    spec = strategy_spec("hma-sma")
    params = spec.defaults()
    inputs = strategy_inputs(
        spec=spec, params=params, symbol=stored_5m_and_4h, start_ms=START, end_ms=END
    )
    four = inputs.context["4h"]
    assert four.open_time[0] == START - spec.context_warmup(params) * 4 * HOUR
    assert four.open_time[-1] + 4 * HOUR <= END  # closed by the span's end
    # 4h is stored whole, so the base series starts at its own warm-up ...
    assert inputs.base.open_time[0] > four.open_time[0]


def test_a_missing_higher_timeframe_makes_the_base_series_reach_back_for_it(stored_5m_and_4h):
    spec = strategy_spec("hma-sma")
    params = spec.defaults()
    inputs = strategy_inputs(
        spec=spec, params=params, symbol=stored_5m_and_4h, start_ms=START, end_ms=END
    )
    assert len(inputs.context["1h"]) == 0  # no 1h stored
    # ... but 1h must be aggregated from 5m candles going back as far as 1h's warm-up.
    assert inputs.base.open_time[0] == START - spec.context_warmup(params) * HOUR


def test_the_run_endpoint_and_a_backtest_read_the_same_inputs(stored_5m_and_4h):
    spec = strategy_spec("hma-sma")
    params = spec.defaults()
    display = strategy_display_inputs(
        spec=spec,
        params=params,
        symbol=stored_5m_and_4h,
        timeframe="4h",
        start_ms=START,
        end_ms=END - 4 * HOUR,  # the last displayed 4h candle closes at END
        limit=1000,
    )
    backtest = strategy_inputs(
        spec=spec, params=params, symbol=stored_5m_and_4h, start_ms=START, end_ms=END
    )
    assert np.array_equal(display.strategy.base.rows(), backtest.base.rows())
    for tf in ("1h", "4h"):
        assert np.array_equal(display.strategy.context[tf].rows(), backtest.context[tf].rows())
    assert display.history.open_time[-1] == START - 4 * HOUR
    assert len(display.history) == spec.display_warmup(params)


def test_a_display_below_the_base_timeframe_never_sees_an_unclosed_base_bar(symbol, btc_5m_candles):
    ones = btc_5m_candles.rows()[:2000].copy()  # 5m rows relabelled as 1m: times are what matter
    ones[:, 0] = ones[0, 0] + np.arange(len(ones)) * 60_000
    candles_upsert(symbol=symbol, timeframe="1m", rows=ones)
    candles_upsert(symbol=symbol, timeframe="5m", rows=btc_5m_candles.rows()[:2000])
    spec = strategy_spec("ema-cross")
    display = strategy_display_inputs(
        spec=spec,
        params=spec.defaults(),
        symbol=symbol,
        timeframe="1m",
        start_ms=None,
        end_ms=int(ones[1000, 0]) + 3 * 60_000,  # the last 1m candle closes mid 5m bar
        limit=100,
    )
    last_close = int(display.candles.open_time[-1]) + 60_000
    assert display.strategy.base.open_time[-1] + FIVE_MIN <= last_close


def test_an_empty_window_or_base_series_is_missing_candles_with_a_fetch_hint(symbol):
    spec = strategy_spec("ema-cross")
    with pytest.raises(MissingCandles, match="fetch_ohlcv BTCUSDT 1h"):
        strategy_display_inputs(
            spec=spec,
            params=spec.defaults(),
            symbol=symbol,
            timeframe="1h",
            start_ms=None,
            end_ms=None,
            limit=10,
        )
    candles_upsert(symbol=symbol, timeframe="1h", rows=np.array([[START, 1, 2, 0.5, 1.5, 10.0]]))
    with pytest.raises(MissingCandles, match="No 5m candles of .* fetch_ohlcv BTCUSDT 5m"):
        strategy_display_inputs(
            spec=spec,
            params=spec.defaults(),
            symbol=symbol,
            timeframe="1h",
            start_ms=None,
            end_ms=None,
            limit=10,
        )
