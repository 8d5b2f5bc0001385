import numpy as np
import pytest

from apps.datafeeds import storage
from apps.datafeeds.models import Candle
from apps.datafeeds.selectors import candles_window
from apps.datafeeds.storage import UpsertReport, candles_upsert

pytestmark = pytest.mark.django_db


def stored(symbol, timeframe="5m") -> np.ndarray:
    c = candles_window(symbol=symbol, timeframe=timeframe)
    return np.column_stack([c.open_time, c.open, c.high, c.low, c.close, c.volume])


def test_first_write_inserts_every_row(btc_symbol, btc_5m):
    report = candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[:5000])
    assert report == UpsertReport(inserted=5000, updated=0, unchanged=0)
    assert np.array_equal(stored(btc_symbol), btc_5m[:5000])


def test_rerun_leaves_rows_unchanged(btc_symbol, btc_5m):
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[:3000])
    report = candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[:3000])
    assert report == UpsertReport(inserted=0, updated=0, unchanged=3000)
    assert Candle.objects.count() == 3000


def test_a_revised_candle_is_updated_and_counted(btc_symbol, btc_5m):
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[:100])
    revised = btc_5m[:120].copy()
    revised[50, 4] += 1.0  # the exchange revised one close
    revised[50, 2] = max(revised[50, 2], revised[50, 4])
    report = candles_upsert(symbol=btc_symbol, timeframe="5m", rows=revised)
    assert report == UpsertReport(inserted=20, updated=1, unchanged=99)
    assert np.array_equal(stored(btc_symbol), revised)


def test_timeframes_and_symbols_do_not_collide(btc_symbol, btc_5m):
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[:10])
    report = candles_upsert(symbol=btc_symbol, timeframe="1h", rows=btc_5m[:10:12])
    assert report.inserted == 1
    assert Candle.objects.count() == 11


def test_two_writes_in_one_transaction_do_not_mix_batches(btc_symbol, btc_5m):
    from django.db import transaction

    with transaction.atomic():
        candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[:10])
        report = candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[10:15])
    assert report == UpsertReport(inserted=5, updated=0, unchanged=0)


def test_generic_path_counts_like_the_postgresql_path(btc_symbol, btc_5m):
    # The embedded SQLite default uses this path; its logic is database-independent.
    first = storage._upsert_generic(btc_symbol.pk, "5m", btc_5m[:200])
    revised = btc_5m[:250].copy()
    revised[10, 5] += 3.0
    second = storage._upsert_generic(btc_symbol.pk, "5m", revised)
    assert first == UpsertReport(200, 0, 0)
    assert second == UpsertReport(inserted=50, updated=1, unchanged=199)
    assert np.array_equal(stored(btc_symbol), revised)


def test_series_summary_follows_every_write(btc_symbol, btc_5m):
    from apps.datafeeds.models import CandleSeries

    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[100:200])
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[150:300])  # overlaps
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m[0:50])  # earlier, with a gap
    revised = btc_5m[0:10].copy()
    revised[:, 5] += 1
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=revised)  # updates only
    series = CandleSeries.objects.get(symbol=btc_symbol, timeframe="5m")
    assert series.count == Candle.objects.filter(symbol=btc_symbol, timeframe="5m").count() == 250
    assert (series.first_open_time, series.last_open_time) == (btc_5m[0, 0], btc_5m[299, 0])
