from datetime import UTC, datetime

import numpy as np
import pytest

from apps.datafeeds.importers import candle_file_read
from apps.datafeeds.timeframes import (
    InvalidTimeframe,
    bucket_floor,
    bucket_next,
    is_aligned,
    missing_intervals,
    timeframe_validate,
)


def ms(*args) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def test_minute_and_month_are_different_timeframes():
    assert bucket_floor(ms(2024, 3, 15, 10, 7, 30), "1m") == ms(2024, 3, 15, 10, 7)
    assert bucket_floor(ms(2024, 3, 15, 10, 7, 30), "1M") == ms(2024, 3, 1)


@pytest.mark.parametrize("bad", ["d", "1D", "2h", "", "5M"])
def test_unknown_timeframes_are_rejected(bad):
    with pytest.raises(InvalidTimeframe):
        timeframe_validate(bad)


def test_weeks_start_on_monday_utc():
    # 2024-01-03 is a Wednesday; its week opened on Monday 2024-01-01.
    assert bucket_floor(ms(2024, 1, 3, 12), "1w") == ms(2024, 1, 1)
    assert is_aligned(np.array([ms(2024, 1, 1), ms(2024, 1, 4)]), "1w").tolist() == [True, False]


def test_month_buckets_have_their_real_length():
    assert bucket_next(ms(2024, 2, 1), "1M") == ms(2024, 3, 1)  # leap February: 29 days
    assert bucket_next(ms(2024, 12, 1), "1M") == ms(2025, 1, 1)


def test_gaps_of_real_binance_maintenance_windows(shared_data):
    rows, _ = candle_file_read(shared_data / "binance_BTC-USDT_5m_2020-12_2021-07.csv.gz")
    gaps = missing_intervals(rows[:, 0].astype(np.int64), "5m")
    # The data README lists 6 gaps, 177 candles, the first 2020-12-21 14:10..17:55 (46).
    assert len(gaps) == 6
    assert sum(n for _, _, n in gaps) == 177
    assert gaps[0] == (ms(2020, 12, 21, 14, 10), ms(2020, 12, 21, 17, 55), 46)


def test_month_gap_counts_calendar_months():
    times = np.array([ms(2024, 1, 1), ms(2024, 4, 1)])
    assert missing_intervals(times, "1M") == [(ms(2024, 2, 1), ms(2024, 3, 1), 2)]
