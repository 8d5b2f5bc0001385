"""The demo's simulated market (apps/datafeeds/simulated_market.py): candles that are a function
of time alone, served through the same download path as a real exchange's, closing in real time."""

from __future__ import annotations

import io
import shlex
import time

import numpy as np
import pytest
from django.core.management import call_command

from apps.datafeeds.hints import fetch_command
from apps.datafeeds.models import Candle, Symbol
from apps.datafeeds.resample import resample_rows
from apps.datafeeds.selectors import candles_window
from apps.datafeeds.services import fetch_ohlcv
from apps.datafeeds.simulated_market import simulated_rows
from apps.datafeeds.timeframes import MINUTE_MS, timeframe_ms

NOW = 1_764_000_123_456  # a fixed "now" for the pure function: 2025-11-24 16:02 UTC
DAY = 86_400_000


@pytest.fixture
def sim(db) -> Symbol:
    return Symbol.objects.create(
        exchange="simulated", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )


def test_any_range_or_page_gives_the_same_candles():
    whole = simulated_rows("BTC/USDT", "5m", since_ms=NOW - 10 * DAY, until_ms=NOW, now_ms=NOW)
    cut = int(whole[1000, 0])
    first = simulated_rows("BTC/USDT", "5m", since_ms=NOW - 10 * DAY, until_ms=cut - 1, now_ms=NOW)
    rest = simulated_rows("BTC/USDT", "5m", since_ms=cut, until_ms=NOW, now_ms=NOW)
    np.testing.assert_array_equal(np.vstack([first, rest]), whole)
    # Later, the same past (the market moved on, its history did not change).
    later = simulated_rows(
        "BTC/USDT", "5m", since_ms=NOW - 10 * DAY, until_ms=NOW + DAY, now_ms=NOW + DAY
    )
    np.testing.assert_array_equal(later[: len(whole)], whole)
    assert len(later) == len(whole) + 288


def test_every_timeframe_tells_the_same_story():
    minutes = simulated_rows("BTC/USDT", "1m", since_ms=NOW - 3 * DAY, until_ms=NOW, now_ms=NOW)
    for timeframe in ("5m", "1h", "4h"):
        served = simulated_rows(
            "BTC/USDT", timeframe, since_ms=NOW - 3 * DAY, until_ms=NOW, now_ms=NOW
        )
        rows, complete = resample_rows(minutes, source="1m", target=timeframe)
        aggregated = rows[complete]
        common = np.isin(served[:, 0], aggregated[:, 0])
        assert common.sum() >= len(served) - 1
        np.testing.assert_allclose(
            served[common], aggregated[np.isin(aggregated[:, 0], served[:, 0])], rtol=1e-12
        )


def test_only_closed_candles_and_a_plausible_market():
    rows = simulated_rows("BTC/USDT", "1m", since_ms=NOW - 30 * DAY, until_ms=NOW, now_ms=NOW)
    assert rows[-1, 0] + MINUTE_MS <= NOW < rows[-1, 0] + 2 * MINUTE_MS  # the last closed one
    assert np.all(np.diff(rows[:, 0]) == MINUTE_MS)  # no gap
    np.testing.assert_array_equal(rows[1:, 1], rows[:-1, 4])  # each opens at the last close
    assert np.all(rows[:, 2] >= np.maximum(rows[:, 1], rows[:, 4]))
    assert np.all(rows[:, 3] <= np.minimum(rows[:, 1], rows[:, 4]))
    assert np.all(rows[:, 5] > 0)
    daily = np.diff(np.log(rows[::1440, 4]))
    assert 0.005 < daily.std() < 0.06  # BTC-like: a few percent a day, neither flat nor wild
    assert rows[:, 4].max() / rows[:, 4].min() > 1.05  # trends for a strategy to find
    other = simulated_rows("ETH/USDT", "1m", since_ms=NOW - DAY, until_ms=NOW, now_ms=NOW)
    assert not np.allclose(other[:, 4] / other[0, 4], rows[-len(other) :, 4] / rows[-len(other), 4])


def test_the_download_path_stores_it_and_a_resume_adds_what_closed_since(sim):
    now = int(time.time() * 1000)
    first = fetch_ohlcv(
        symbol=sim, timeframe="1m", since_ms=now - 3 * 3_600_000, until_ms=now - 30 * MINUTE_MS
    )
    since, until = now - 3 * 3_600_000, now - 30 * MINUTE_MS
    expected = (until - 1) // MINUTE_MS - since // MINUTE_MS + 1  # [since's minute, until)
    assert first.written.inserted == expected and not first.gaps
    first_last = int(candles_window(symbol=sim, timeframe="1m").open_time[-1])
    before = int(time.time() * 1000)
    resumed = fetch_ohlcv(symbol=sim, timeframe="1m")  # as the refresh does: no since
    after = int(time.time() * 1000)
    stored = candles_window(symbol=sim, timeframe="1m")
    last_open = int(stored.open_time[-1])
    # Up to the last candle closed when the resume ran, and not one further, without a gap.
    assert before // MINUTE_MS - 1 <= last_open // MINUTE_MS <= after // MINUTE_MS - 1
    assert resumed.written.inserted == (last_open - first_last) // MINUTE_MS
    assert np.all(np.diff(stored.open_time) == MINUTE_MS)
    served = simulated_rows(
        "BTC/USDT", "1m", since_ms=int(stored.open_time[0]), until_ms=last_open, now_ms=after
    )
    np.testing.assert_allclose(stored.close, served[:, 4], rtol=1e-9)


def test_the_suggested_command_runs_as_printed(sim):
    since = int(time.time() * 1000) - 2 * DAY
    suggested = fetch_command(sim, "1h", since_ms=since, track=True)
    assert "<" not in suggested and suggested.startswith("python manage.py fetch_ohlcv ")
    args = shlex.split(suggested)[3:]
    out = io.StringIO()
    call_command("fetch_ohlcv", *args, stdout=out, stderr=io.StringIO())
    stored = Candle.objects.filter(symbol=sim, timeframe="1h").count()
    assert 47 <= stored <= 72  # from the UTC day two days ago to the last closed hour
    assert Symbol.objects.get(pk=sim.pk).tracked_timeframes == ["1h"]
    assert timeframe_ms("1h") * stored <= 3 * DAY
