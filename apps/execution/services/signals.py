"""A strategy's signals at one closed candle, computed once per (strategy, params, symbol,
signal start, candle) and shared through the cache by every bot with that key.

The candle's signals are those a backtest starting at `signals_from_ms` computes for it: the
same candles (base series from the warm-up on, the higher timeframes) and the same strategy
function, evaluated up to that candle only. Indicators are causal, so the value at a candle does
not depend on what comes after it; a strategy with an unbounded memory (an EMA) does depend on
where the series starts, which is why that start is part of the key (docs/bots.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from django.core.cache import cache

from apps.datafeeds.models import Symbol
from apps.datafeeds.timeframes import timeframe_ms
from apps.strategies.registry import StrategySpec
from apps.strategies.selectors import strategy_inputs

CACHE_SECONDS = 24 * 3600  # a candle's signals are needed for one step; a day covers retries


class CandleNotStored(LookupError):
    """The candle to decide on is not in the database (yet)."""


@dataclass(frozen=True)
class CandleSignals:
    candle_ms: int
    close: float
    long_entry: bool
    short_entry: bool
    long_exit: bool
    short_exit: bool


def signals_cache_key(
    *, strategy: str, params: dict[str, Any], symbol_id: int, signals_from_ms: int, candle_ms: int
) -> str:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
    return f"bot-signals:{symbol_id}:{strategy}:{digest}:{signals_from_ms}:{candle_ms}"


def candle_signals_compute(
    *,
    spec: StrategySpec,
    params: dict[str, Any],
    symbol: Symbol,
    signals_from_ms: int,
    candle_ms: int,
) -> CandleSignals:
    """Compute (no cache). Raises CandleNotStored when the candle is missing; whatever the
    strategy raises goes through."""
    bar_ms = timeframe_ms(spec.base_timeframe)
    candles = strategy_inputs(
        spec=spec,
        params=params,
        symbol=symbol,
        start_ms=signals_from_ms,
        end_ms=candle_ms + bar_ms,
    )
    base = candles.base
    if not len(base) or int(base.open_time[-1]) != candle_ms:
        raise CandleNotStored(
            f"The {spec.base_timeframe} candle {candle_ms} of {symbol} is not stored."
        )
    result = spec.compute(base, candles.context, params)
    return CandleSignals(
        candle_ms=candle_ms,
        close=float(base.close[-1]),
        long_entry=bool(result.long_entry[-1]),
        short_entry=bool(result.short_entry[-1]),
        long_exit=bool(result.long_exit[-1]),
        short_exit=bool(result.short_exit[-1]),
    )


def candle_signals(
    *,
    spec: StrategySpec,
    params: dict[str, Any],
    symbol: Symbol,
    signals_from_ms: int,
    candle_ms: int,
) -> CandleSignals:
    """From the cache, computed and stored there by the first asker."""
    key = signals_cache_key(
        strategy=spec.key,
        params=params,
        symbol_id=symbol.pk,
        signals_from_ms=signals_from_ms,
        candle_ms=candle_ms,
    )
    cached = cache.get(key)
    if cached is not None:
        return CandleSignals(**cached)
    signals = candle_signals_compute(
        spec=spec,
        params=params,
        symbol=symbol,
        signals_from_ms=signals_from_ms,
        candle_ms=candle_ms,
    )
    cache.set(key, asdict(signals), timeout=CACHE_SECONDS)
    return signals
