import numpy as np
import pytest

from apps.datafeeds.validation import candles_validate

T0 = 1_704_067_200_000  # 2024-01-01 00:00 UTC
FIVE_MIN = 300_000
FAR_FUTURE = T0 + 10**12


def row(i, o=100.0, h=101.0, lo=99.0, c=100.5, v=1.0):
    return [T0 + i * FIVE_MIN, o, h, lo, c, v]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (row(1, h=99.5), "high below open or close"),
        (row(1, lo=100.2), "low above open or close"),
        (row(1, v=-1.0), "negative volume"),
        (row(1, c=float("nan")), "missing or non-numeric value"),
        (row(1, o=0.0, lo=0.0), "non-positive price"),
        ([T0 + FIVE_MIN + 60_000, 100, 101, 99, 100, 1], "open time not aligned to 5m"),
    ],
)
def test_bad_rows_are_rejected_with_their_reason(bad, reason):
    result = candles_validate(np.array([row(0), bad, row(2)]), timeframe="5m", now_ms=FAR_FUTURE)
    assert [r.reason for r in result.rejected] == [reason]
    assert result.rows[:, 0].tolist() == [T0, T0 + 2 * FIVE_MIN]


def test_a_repeated_open_time_is_rejected_as_duplicate():
    result = candles_validate(
        np.array([row(0), row(1), row(1, c=100.7)]), timeframe="5m", now_ms=FAR_FUTURE
    )
    assert [r.reason for r in result.rejected] == ["duplicate open time"]
    assert len(result.rows) == 2


def test_the_still_open_candle_is_dropped_not_rejected():
    now = T0 + 2 * FIVE_MIN + 10_000  # candle 2 opened 10 s ago
    result = candles_validate(np.array([row(0), row(1), row(2)]), timeframe="5m", now_ms=now)
    assert result.open_dropped == 1
    assert result.rejected == []
    assert result.rows[:, 0].tolist() == [T0, T0 + FIVE_MIN]


def test_a_candle_closing_exactly_now_is_kept():
    now = T0 + 2 * FIVE_MIN
    result = candles_validate(np.array([row(0), row(1)]), timeframe="5m", now_ms=now)
    assert len(result.rows) == 2


def test_real_candles_all_pass(btc_5m):
    result = candles_validate(btc_5m, timeframe="5m", now_ms=FAR_FUTURE)
    assert result.rejected == []
    assert np.array_equal(result.rows, btc_5m)
