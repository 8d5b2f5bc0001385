"""The demo's exchange: a simulated market whose candles are a function of time alone.

Every minute's candle is computed from its day's seeded generator, so any two downloads (a page
now, a resume an hour later, 1m or 4h) agree exactly, and new candles keep closing in real time.
`fetch_ohlcv` downloads them through the same path as a real exchange's (the refresh on candle
boundaries, a bot's warm-up, the `fetch_ohlcv` command). Stored under the exchange id
`simulated`, never mistaken for a real market.

The price: slow waves (trends lasting hours to weeks) plus, inside each UTC day, a Brownian
bridge between noisy day anchors, so the minute path is continuous and about as volatile as BTC.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from .resample import resample_rows
from .timeframes import MINUTE_MS, TIMEFRAMES, bucket_floor, bucket_next, timeframe_ms

DAY_MINUTES = 1440
MINUTE_VOLATILITY = 0.0005  # log return per minute: about 1.9% a day, as BTC
ANCHOR_VOLATILITY = 0.012  # the day anchors' noise around the waves
WAVES = ((0.10, 23.0, 0.0), (0.05, 7.7, 1.3), (0.02, 1.9, 2.1))  # (amplitude, days, phase)
START_PRICES = {"BTC": 60_000.0, "ETH": 3_000.0, "SOL": 150.0}
PAGE_LIMIT = 1000
MAX_PAGE_MINUTES = 2_000_000  # a page of 1000 daily candles; keeps one request's work bounded


def _seed(market_symbol: str) -> int:
    return zlib.crc32(market_symbol.encode())


def _anchor_levels(seed: int, days: np.ndarray) -> np.ndarray:
    """Log price at the start of each UTC day (relative to the start price)."""
    t = days.astype(np.float64)
    waves = sum(a * np.sin(2 * np.pi * t / period + phase) for a, period, phase in WAVES)
    noise = np.array([np.random.default_rng([seed, int(d), 0]).normal() for d in days])
    return waves + ANCHOR_VOLATILITY * noise


def minute_rows(market_symbol: str, first_minute: int, last_minute: int) -> np.ndarray:
    """1m rows (N, 6) for epoch minutes [first_minute, last_minute], the same on every call."""
    seed = _seed(market_symbol)
    base = START_PRICES.get(market_symbol.split("/")[0], 100.0)
    first_day, last_day = first_minute // DAY_MINUTES, last_minute // DAY_MINUTES
    days = np.arange(first_day, last_day + 2)
    anchors = _anchor_levels(seed, days)
    within = (np.arange(DAY_MINUTES) + 1) / DAY_MINUTES  # the close of minute i, in days
    parts = []
    for k, day in enumerate(days[:-1]):  # one generator per day: any range gives the same day
        rng = np.random.default_rng([seed, int(day), 1])
        steps = rng.normal(0.0, MINUTE_VOLATILITY, DAY_MINUTES)
        walk = np.cumsum(steps)
        bridge = walk - within * walk[-1]  # 0 at both ends of the day
        closes = anchors[k] + (anchors[k + 1] - anchors[k]) * within + bridge
        wicks = np.abs(rng.normal(0.0, MINUTE_VOLATILITY / 2, (2, DAY_MINUTES)))
        volumes = rng.gamma(2.0, 10.0, DAY_MINUTES)
        parts.append((closes, wicks, volumes))
    log_close = np.concatenate([p[0] for p in parts])
    wicks = np.concatenate([p[1] for p in parts], axis=1)
    volumes = np.concatenate([p[2] for p in parts])
    start = first_day * DAY_MINUTES
    minutes = np.arange(start, start + len(log_close))
    log_open = np.r_[anchors[0], log_close[:-1]]  # a minute opens at the previous close
    keep = slice(first_minute - start, last_minute - start + 1)
    opens = base * np.exp(log_open[keep])
    closes = base * np.exp(log_close[keep])
    highs = np.maximum(opens, closes) * np.exp(wicks[0, keep])
    lows = np.minimum(opens, closes) * np.exp(-wicks[1, keep])
    return np.column_stack(
        [minutes[keep] * MINUTE_MS, opens, highs, lows, closes, volumes[keep] * base / 1000]
    )


def simulated_rows(
    market_symbol: str, timeframe: str, *, since_ms: int, until_ms: int, now_ms: int
) -> np.ndarray:
    """Closed candles of `timeframe` opening in [since_ms, until_ms], aggregated from the 1m path
    (so every timeframe tells the same story)."""
    first = int(bucket_floor(since_ms, timeframe))
    if bucket_floor(since_ms, timeframe) < since_ms:
        first = int(bucket_next(first, timeframe))
    in_progress = int(bucket_floor(now_ms, timeframe))  # not closed yet: never served
    last_open = min(
        int(bucket_floor(until_ms, timeframe)), int(bucket_floor(in_progress - 1, timeframe))
    )
    if last_open < first:
        return np.empty((0, 6))
    end_ms = int(bucket_next(last_open, timeframe))
    minutes = minute_rows(market_symbol, first // MINUTE_MS, end_ms // MINUTE_MS - 1)
    if timeframe == "1m":
        return minutes
    rows, complete = resample_rows(minutes, source="1m", target=timeframe)
    return rows[complete]


class SimulatedMarket:
    """The subset of `apps.exchanges.exchange_client.ExchangeClient` the downloads use."""

    def __init__(self, exchange_id: str, now_ms=None):
        self.id = exchange_id
        self._now_ms = now_ms or (lambda: int(time.time() * 1000))

    @property
    def timeframes(self) -> Mapping[str, str]:
        return {tf: tf for tf in TIMEFRAMES}

    def milliseconds(self) -> int:
        return self._now_ms()

    def load_markets(self) -> None:
        return None

    def market(self, market_symbol: str) -> dict[str, Any]:
        return {"symbol": market_symbol, "type": "spot"}

    def ohlcv_page_limit(self, market: Mapping[str, Any]) -> int:
        return PAGE_LIMIT

    def fetch_ohlcv(
        self, market_symbol: str, timeframe: str, *, since_ms: int, limit: int, until_ms: int
    ) -> list[list[float]]:
        span_ms = min(limit * timeframe_ms(timeframe), MAX_PAGE_MINUTES * MINUTE_MS)
        until = min(until_ms, since_ms + span_ms - 1)
        rows = simulated_rows(
            market_symbol, timeframe, since_ms=since_ms, until_ms=until, now_ms=self._now_ms()
        )
        return rows[:limit].tolist()
