"""Candle files: ours (the format of ../shared/data) and Binance's public kline dumps."""

import gzip
import zipfile

import numpy as np
import pytest

from apps.datafeeds.importers import BINANCE_COLUMNS, CandleFileError, candle_file_read
from apps.datafeeds.validation import candles_validate

T0 = 1_704_067_200_000  # 2024-01-01 00:00 UTC
KLINE = (
    "{t},42283.58,42554.57,42261.02,42475.23,1271.68108,{c},54070593.2,51940,634.93,27004921.6,0"
)


def kline_lines(count: int, unit: int = 1) -> list[str]:
    return [
        KLINE.format(t=(T0 + i * 300_000) * unit, c=(T0 + (i + 1) * 300_000 - 1) * unit)
        for i in range(count)
    ]


def test_reads_our_gzip_format(shared_data):
    rows, fmt = candle_file_read(shared_data / "binance_XRP-ETH_5m.csv.gz")
    assert fmt == "ohlcv-csv" and rows.shape == (706, 6)
    assert rows[0, 0] == 1_570_752_000_000 and rows[0, 1] == 0.00141342


def test_reads_a_binance_dump_without_header(tmp_path):
    path = tmp_path / "BTCUSDT-5m-2024-01-01.csv"
    path.write_text("\n".join(kline_lines(3)) + "\n")
    rows, fmt = candle_file_read(path)
    assert fmt == "binance-klines"
    assert rows[:, 0].tolist() == [T0, T0 + 300_000, T0 + 600_000]
    assert rows[0, 1:].tolist() == [42283.58, 42554.57, 42261.02, 42475.23, 1271.68108]


def test_reads_a_zipped_binance_dump_with_header_and_microseconds(tmp_path):
    # data.binance.vision: zip with one CSV; spot dumps from 2025 on use microseconds.
    header = ",".join(BINANCE_COLUMNS)
    path = tmp_path / "BTCUSDT-5m-2025-01.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("BTCUSDT-5m-2025-01.csv", "\n".join([header, *kline_lines(2, unit=1000)]))
    rows, _ = candle_file_read(path)
    assert rows[:, 0].tolist() == [T0, T0 + 300_000]


def test_a_non_numeric_cell_becomes_a_rejected_row(tmp_path):
    path = tmp_path / "bad.csv.gz"
    lines = [
        "timestamp,open,high,low,close,volume",
        f"{T0},1,2,0.5,1.5,10",
        f"{T0 + 300_000},1,x,0.5,1.5,10",
    ]
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    rows, _ = candle_file_read(path)
    assert np.isnan(rows[1, 2])
    result = candles_validate(rows, timeframe="5m", now_ms=T0 * 2)
    assert [r.reason for r in result.rejected] == ["missing or non-numeric value"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("time,o,h,l,c\n1,2,3,4,5\n", "unrecognised columns"),
        ("", "Cannot read"),
    ],
)
def test_unreadable_files_are_a_clear_error(tmp_path, content, message):
    path = tmp_path / "file.csv"
    path.write_text(content)
    with pytest.raises(CandleFileError, match=message):
        candle_file_read(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CandleFileError, match="No such file"):
        candle_file_read(tmp_path / "nope.csv")
