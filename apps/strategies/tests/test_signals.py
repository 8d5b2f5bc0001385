from datetime import UTC, datetime

import numpy as np
import pytest

from apps.datafeeds.arrays import CandleArrays
from apps.strategies.signals import (
    align_closed,
    align_runs,
    close_times,
    closed_runs,
    entry_signals,
    evaluate_long_signal,
    evaluate_short_signal,
    higher_timeframe,
    higher_timeframe_candles,
    hma_sma_signals,
)

HOUR = 3_600_000
FIVE_MIN = 300_000


def ms(*args) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def signals(base, higher=None, sma_period=200, hma_period=200):
    return hma_sma_signals(
        base,
        base_timeframe="5m",
        higher=higher or {"1h": None, "4h": None},
        sma_period=sma_period,
        hma_period=hma_period,
    )


# --- The closed-candle rule at hour and 4-hour boundaries ---------------------------------------


def test_bar_closing_at_noon_sees_the_hour_that_closed_at_noon():
    hour_opens = np.array([ms(2024, 1, 1, 10), ms(2024, 1, 1, 11), ms(2024, 1, 1, 12)])
    hour_values = np.array([10.0, 11.0, 12.0])
    bar_opens = np.array([ms(2024, 1, 1, 11, 50), ms(2024, 1, 1, 11, 55), ms(2024, 1, 1, 12, 0)])
    seen = align_closed(hour_opens + HOUR, hour_values, bar_opens + FIVE_MIN)
    # 11:50-11:55 closes at 11:55: the 11:00 hour is still open, so it sees the 10:00 one.
    # 11:55-12:00 closes at 12:00: it sees the 11:00-12:00 candle.
    assert seen.tolist() == [10.0, 11.0, 11.0]


def test_four_hour_candle_is_seen_only_from_its_close():
    four_opens = np.array([ms(2024, 1, 1, 4), ms(2024, 1, 1, 8)])
    values = np.array([1.0, 2.0])
    bar_closes = np.array([ms(2024, 1, 1, 11, 55), ms(2024, 1, 1, 12, 0), ms(2024, 1, 1, 15, 55)])
    assert align_closed(four_opens + 4 * HOUR, values, bar_closes).tolist() == [1.0, 2.0, 2.0]


def test_nothing_is_seen_before_the_first_close():
    assert np.isnan(
        align_closed(np.array([ms(2024, 1, 1, 1)]), np.array([5.0]), np.array([ms(2024, 1, 1)]))
    ).all()


def test_hma_at_5m_boundaries_on_real_data(btc_5m_candles):
    s = signals(btc_5m_candles, sma_period=20, hma_period=20)
    hours, _ = higher_timeframe_candles(btc_5m_candles, "5m", "1h", None)
    from apps.strategies.indicators import hma

    hourly = hma(hours.close, 20)
    opens = btc_5m_candles.open_time
    at = {int(t): i for i, t in enumerate(opens)}
    noon_bar = at[ms(2024, 3, 1, 11, 55)]  # closes at 12:00
    before = at[ms(2024, 3, 1, 11, 50)]  # closes at 11:55
    hour_11 = int(np.flatnonzero(hours.open_time == ms(2024, 3, 1, 11))[0])
    assert s.hma["1h"][noon_bar] == hourly[hour_11]
    assert s.hma["1h"][before] == hourly[hour_11 - 1]


# --- Stored higher-timeframe candles and resampled ones agree ---------------------------------


def test_stored_and_resampled_4h_give_the_same_signals(btc_5m_candles, btc_4h_candles):
    resampled = signals(btc_5m_candles)
    stored = signals(btc_5m_candles, higher={"1h": None, "4h": btc_4h_candles})
    assert stored.sources == {"1h": "resampled", "4h": "stored"}
    np.testing.assert_array_equal(stored.hma["4h"], resampled.hma["4h"])
    np.testing.assert_array_equal(stored.long.setup, resampled.long.setup)
    np.testing.assert_array_equal(stored.short_entry, resampled.short_entry)


def test_incomplete_stored_candles_fall_back_to_resampling(btc_5m_candles, btc_4h_candles):
    holed = btc_4h_candles.slice(np.arange(len(btc_4h_candles)) != 500)
    s = signals(btc_5m_candles, higher={"1h": None, "4h": holed})
    assert s.sources["4h"] == "resampled"


# --- No lookahead --------------------------------------------------------------------------


def assert_prefix_equal(prefix, whole, k):
    for name in ("sma",):
        np.testing.assert_array_equal(getattr(prefix, name), getattr(whole, name)[:k])
    for tf in whole.hma:
        np.testing.assert_array_equal(prefix.hma[tf], whole.hma[tf][:k])
        np.testing.assert_array_equal(prefix.hma_rising[tf], whole.hma_rising[tf][:k])
    for name in ("long_entry", "short_entry", "long_exit", "short_exit"):
        np.testing.assert_array_equal(getattr(prefix, name), getattr(whole, name)[:k])
    np.testing.assert_array_equal(prefix.long.setup, whole.long.setup[:k])
    np.testing.assert_array_equal(prefix.short.setup, whole.short.setup[:k])
    assert prefix.long.last == bool(whole.long.setup[k - 1])
    assert prefix.short.last == bool(whole.short.setup[k - 1])


@pytest.mark.parametrize("stored_4h", [False, True])
def test_no_lookahead_at_many_cut_points(btc_5m_candles, btc_4h_candles, stored_4h):
    # The stored 4h series is passed whole, future candles included: they must be ignored.
    higher = {"1h": None, "4h": btc_4h_candles if stored_4h else None}
    whole = signals(btc_5m_candles, higher=higher)
    assert whole.long_entry.sum() > 10 and whole.short_entry.sum() > 10
    rng = np.random.default_rng(3)
    n = len(btc_5m_candles)
    opens = btc_5m_candles.open_time
    # Random cuts, plus the bars closing just before, at and after hour and 4-hour closes.
    four_hour_close = int(np.flatnonzero((opens + FIVE_MIN) % (4 * HOUR) == 0)[300])
    cuts = sorted(
        set(rng.integers(300, n, size=12).tolist())
        | {
            four_hour_close,
            four_hour_close + 1,
            four_hour_close + 2,
            n - 1,
            11_000,
        }
    )
    for k in cuts:
        prefix = signals(btc_5m_candles.slice(slice(0, k)), higher=higher)
        assert_prefix_equal(prefix, whole, k)


# --- Setups and entries ---------------------------------------------------------------------


def test_long_setup_needs_every_condition():
    close = np.array([10.0, 10.0, 10.0, 10.0, 10.0])
    sma_ = np.array([9.0, 11.0, 9.0, 9.0, 9.0])
    hma_1h = np.array([9.0, 9.0, 11.0, 9.0, 9.0])
    hma_4h = np.array([9.0, 9.0, 9.0, 9.0, np.nan])
    up_1h = np.array([True, True, True, False, True])
    up_4h = np.array([True, True, True, True, True])
    result = evaluate_long_signal(close, sma_, [hma_1h, hma_4h], [up_1h, up_4h])
    assert result.setup.tolist() == [True, False, False, False, False]
    assert result.last is False


def test_short_setup_is_the_mirror():
    close = np.array([10.0, 10.0])
    result = evaluate_short_signal(
        close, np.array([11.0, 11.0]), [np.array([12.0, 12.0])], [np.array([True, False])]
    )
    assert result.setup.tolist() == [True, False]


def test_entry_is_the_first_bar_of_a_setup():
    setup = np.array([True, True, False, True, True, False, True])
    assert entry_signals(setup).tolist() == [True, False, False, True, False, False, True]


def test_warmup_gives_no_setup_and_null_indicators(btc_5m_candles):
    s = signals(btc_5m_candles)
    assert np.isnan(s.sma[:199]).all() and np.isfinite(s.sma[199])
    first_4h = np.flatnonzero(np.isfinite(s.hma["4h"]))[0]
    assert first_4h >= (200 + 14 - 2) * 48  # 212 closed 4h candles before the first value
    assert not s.long.setup[:first_4h].any() and not s.short.setup[:first_4h].any()


def test_close_times_of_months_are_exact():
    months = CandleArrays.from_rows(np.array([[ms(2024, 2, 1), 1, 1, 1, 1, 1]]))
    assert close_times(months, "1M").tolist() == [ms(2024, 3, 1)]


def test_higher_timeframes_are_reused_for_the_same_inputs_only(btc_5m_candles):
    """A parameter study calls the strategy on the same candles again and again: the aggregation
    and which candle each base bar sees (independent of the parameters) are computed once for
    those objects, and again for others."""
    first = higher_timeframe(btc_5m_candles, "5m", "1h", None)
    assert higher_timeframe(btc_5m_candles, "5m", "1h", None) is first
    copy = btc_5m_candles.slice(slice(None))
    again = higher_timeframe(copy, "5m", "1h", None)
    assert again is not first
    assert np.array_equal(again.candles.close, first.candles.close)
    assert np.array_equal(again.runs, first.runs) and again.source == first.source
    four = higher_timeframe(btc_5m_candles, "5m", "4h", None)
    assert len(four.candles) * 4 == pytest.approx(len(first.candles), abs=4)


def test_closed_runs_align_like_a_search_per_bar():
    """The runs (one np.repeat) give what searching each bar's latest closed candle gives,
    with gaps on both sides and candles closing after the last bar."""
    rng = np.random.default_rng(7)
    source = np.cumsum(rng.integers(1, 40, 300))
    target = np.cumsum(rng.integers(1, 9, 2000))
    values = rng.normal(size=len(source))
    expected_index = np.searchsorted(source, target, side="right") - 1
    expected = np.where(expected_index >= 0, values[expected_index], np.nan)
    np.testing.assert_array_equal(align_closed(source, values, target), expected)
    runs = closed_runs(source, target)
    assert len(runs) == len(source) + 1 and runs.sum() == len(target)
    flags = values > 0
    got = align_runs(flags, runs, missing=False)
    np.testing.assert_array_equal(got, np.where(expected_index >= 0, flags[expected_index], False))
