"""Pieces the datafeeds commands share: argument types and the progress/summary printing."""

from __future__ import annotations

import argparse
import sys
import time

from apps.datafeeds.services import FetchProgress, FetchReport, ImportReport
from apps.datafeeds.timeframes import TIMEFRAMES
from apps.datafeeds.times import format_ms, parse_time_ms


def time_argument(text: str) -> int:
    try:
        return parse_time_ms(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def timeframe_argument(text: str) -> str:
    if text not in TIMEFRAMES:
        raise argparse.ArgumentTypeError(
            f"invalid timeframe '{text}' (choose from {', '.join(TIMEFRAMES)}; case matters)"
        )
    return text


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


class ProgressPrinter:
    """Prints a progress line at most every `every_s` seconds (to stderr, so stdout stays clean)."""

    def __init__(self, label: str, every_s: float = 1.0, stream=None):
        self.label = label
        self.every_s = every_s
        self.stream = stream or sys.stderr
        self._last = 0.0

    def __call__(self, progress: FetchProgress) -> None:
        now = time.monotonic()
        if now - self._last < self.every_s:
            return
        self._last = now
        last = format_ms(progress.last_open_time) if progress.last_open_time else "-"
        self.stream.write(
            f"{self.label}: {progress.pages} pages, {progress.candles} candles, "
            f"{progress.rate:,.0f} candles/s, up to {last}\n"
        )
        self.stream.flush()


def _gap_lines(gaps: list[tuple[int, int, int]], limit: int = 10) -> list[str]:
    lines = [f"  gap {format_ms(a)} .. {format_ms(b)} ({n} missing)" for a, b, n in gaps[:limit]]
    if len(gaps) > limit:
        lines.append(f"  ... and {len(gaps) - limit} more gaps (see: manage.py candle_gaps)")
    return lines


def fetch_summary(report: FetchReport) -> str:
    missing = sum(n for _, _, n in report.gaps)
    lines = [
        f"{report.symbol} {report.timeframe}: {report.pages} pages, {report.received} candles "
        f"received in {report.elapsed_s:.1f}s from {format_ms(report.start_ms)} to "
        f"{format_ms(report.end_ms)}",
        f"  inserted {report.written.inserted}, updated {report.written.updated}, "
        f"unchanged {report.written.unchanged}, rejected {len(report.rejected)}, "
        f"open candle skipped {report.open_dropped}, retries {report.retries}, "
        f"gaps {len(report.gaps)} ({missing} candles missing)",
    ]
    lines += [f"  rejected {r.describe()}" for r in report.rejected[:20]]
    return "\n".join(lines + _gap_lines(report.gaps))


def import_summary(report: ImportReport) -> str:
    missing = sum(n for _, _, n in report.gaps)
    lines = [
        f"{report.symbol} {report.timeframe}: {report.rows} rows read from {report.path} "
        f"({report.file_format})",
        f"  inserted {report.written.inserted}, updated {report.written.updated}, "
        f"unchanged {report.written.unchanged}, rejected {len(report.rejected)}, "
        f"open candle skipped {report.open_dropped}, gaps {len(report.gaps)} "
        f"({missing} candles missing)",
    ]
    lines += [f"  rejected {r.describe()}" for r in report.rejected[:20]]
    return "\n".join(lines + _gap_lines(report.gaps))
