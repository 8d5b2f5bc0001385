"""Response shapes of the strategy API, built from the evaluation's arrays."""

from __future__ import annotations

import numpy as np

from apps.datafeeds.models import Symbol
from apps.datafeeds.presenters import candle_rows, json_rows

from .evaluation import Evaluation


def _nullable(values: np.ndarray) -> np.ndarray:
    """A float array, encoded by orjson as it is: NaN (warm-up, undefined) is written null."""
    return np.ascontiguousarray(values, dtype=np.float64)


def _seconds(ms: int) -> int:
    return int(ms) // 1000


def evaluation_payload(evaluation: Evaluation, *, symbol: Symbol) -> dict:
    """The run answer; arrays stay NumPy (the renderer encodes them, config/http_cache.py)."""
    payload = {
        "strategy": evaluation.spec.key,
        "params": evaluation.params,
        "symbol": symbol.name,
        "exchange": symbol.exchange,
        "simulated": symbol.is_simulated,
        "timeframe": evaluation.timeframe,
        "base_timeframe": evaluation.spec.base_timeframe,
        "warmup_complete": evaluation.warmup_complete,
        "candles": candle_rows(evaluation.candles),
    }
    for key, line in evaluation.lines.items():
        payload[key] = (
            {name: _nullable(values) for name, values in line.items()}
            if isinstance(line, dict)
            else _nullable(line)
        )
    if evaluation.base_indicators:
        payload["base_indicators"] = {
            name: _nullable(values) for name, values in evaluation.base_indicators.items()
        }
    payload["entries"] = [
        {
            "time": _seconds(e.display_open_ms),
            "side": e.side,
            "bar_time": _seconds(e.bar_open_ms),
            "price": e.price,
        }
        for e in evaluation.entries
    ]
    payload["timeline"] = json_rows(
        {
            "time": evaluation.candles.open_time // 1000,
            "long": evaluation.long_active,
            "short": evaluation.short_active,
        }
    )
    payload["should_enter_long"] = bool(evaluation.long_active[-1])
    payload["should_enter_short"] = bool(evaluation.short_active[-1])
    return payload
