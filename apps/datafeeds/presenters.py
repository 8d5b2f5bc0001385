"""Response shapes of the market-data API, built from arrays (no serializer per row: speed)."""

from __future__ import annotations

from .arrays import CandleArrays


def candle_rows(candles: CandleArrays) -> list[dict]:
    """Chart-ready rows: time in epoch seconds (what Lightweight Charts takes)."""
    return [
        {"time": t, "open": o, "high": h, "low": lo, "close": c, "volume": v}
        for t, o, h, lo, c, v in zip(
            (candles.open_time // 1000).tolist(),
            candles.open.tolist(),
            candles.high.tolist(),
            candles.low.tolist(),
            candles.close.tolist(),
            candles.volume.tolist(),
            strict=True,
        )
    ]
